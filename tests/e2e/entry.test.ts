import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from './harness.js';
import { startDiscordEmulator } from '../emulator/index.js';
import { startFakeLlm } from '../llm-server/index.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm start` as an operator would, with `input` on stdin. */
function npmStart(
  env: Record<string, string>,
  input: string | null,
  opts: { killAfter?: (out: string) => boolean } = {},
): Promise<Run> & { pid: number } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_)/.test(k)));
  // The build is checked once in beforeAll; EOS_BUILD_CHECK=off keeps a file edited meanwhile from rebuilding here.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: PROJECT_ROOT,
    env: { ...clean, EOS_BUILD_CHECK: 'off', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
    if (opts.killAfter?.(stdout)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  if (input !== null) child.stdin.end(input);
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return Object.assign(done, { pid: child.pid ?? 0 });
}

const dataDir = () => mkdtemp(path.join(tmpdir(), 'eos-entry-'));
const cleanups: (() => Promise<void>)[] = [];
// `npm start` runs the compiled build: compile src/ once if it is newer than dist/ (as `npm start` itself would).
beforeAll(() => {
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
}, 180_000);
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('npm start', () => {
  test('without DISCORD_TOKEN: says what to set, runs the console on stdin, exits 0 at end of input', async () => {
    const dir = await dataDir();
    const run = await npmStart({ EOS_DATA_DIR: dir }, '!hi\n!nope\nhello there\n');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('DISCORD_TOKEN is not set');
    expect(run.stdout).toContain("Eos: Hi you! I'm Eos.");
    expect(run.stdout).toContain('Eos: Unknown command `!nope`');
    expect(run.stdout).toContain('nothing in my training memory matches that yet');
  }, 30_000);

  test('console without an LLM answers from the training memory', async () => {
    const dir = await dataDir();
    await mkdir(path.join(dir, 'datasets', 'default'), { recursive: true });
    const rec = {
      messages: [
        { role: 'user', content: 'What is the boiling point of water?' },
        { role: 'assistant', content: '100 °C at sea level.' },
      ],
    };
    await writeFile(path.join(dir, 'datasets', 'default', 'positive.jsonl'), JSON.stringify(rec) + '\n');
    const run = await npmStart({ EOS_DATA_DIR: dir }, 'what is the boiling point of water\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Eos: 100 °C at sea level.');
  }, 30_000);

  test('console with an OpenAI-compatible endpoint answers through it', async () => {
    const llm = await startFakeLlm();
    cleanups.push(() => llm.close());
    llm.queue({ text: 'Hello from the model.' });
    const dir = await dataDir();
    const run = await npmStart({ EOS_DATA_DIR: dir, OPENAI_BASE_URL: llm.baseURL, OPENAI_API_KEY: llm.apiKey }, 'hi model\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Eos: Hello from the model.');
    expect(llm.chatRequests()).toHaveLength(1);
    const logs = (await readdir(path.join(dir, 'logs'))).map((f) => path.join(dir, 'logs', f));
    for (const f of logs) expect(await readFile(f, 'utf8')).not.toContain(llm.apiKey);
    expect(run.stderr).not.toContain(llm.apiKey);
  }, 30_000);

  test('a bad config value stops the start with an error naming the key', async () => {
    const dir = await dataDir();
    await writeFile(path.join(dir, 'eos.config.json'), JSON.stringify({ conversation: { temperature: 5 } }));
    const run = await npmStart({ EOS_DATA_DIR: dir }, '');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('conversation.temperature');
    const bad = await npmStart({ EOS_DATA_DIR: dir, OPENAI_BASE_URL: 'not a url' }, '');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('OPENAI_BASE_URL');
  }, 30_000);

  test('with DISCORD_TOKEN it connects to Discord (the emulator), answers, and stops cleanly on SIGTERM', async () => {
    const emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
    cleanups.push(() => emu.close());
    const user = emu.createUser({ username: 'dana', globalName: 'Dana' });
    const guild = emu.createGuild({ name: 'Ops' });
    emu.addMember(guild.id, user.id);
    const channel = emu.createChannel({ guildId: guild.id, name: 'ops' });
    const dir = await dataDir();
    const child = npmStart({ EOS_DATA_DIR: dir, DISCORD_TOKEN: emu.token, DISCORD_API_URL: emu.restBase }, null);
    await emu.waitFor(() => emu.connected() && emu.commands.global.length > 0, { timeoutMs: 20_000, label: 'bot connected' });
    const msg = emu.userSays({ channelId: channel.id, userId: user.id, content: '!hi' });
    const reply = await emu.waitForBotMessage(channel.id, (m) => m.replyTo === msg.id, { timeoutMs: 10_000 });
    expect(reply.content).toMatch(/^Hi Dana!/);
    const pids = await findBotPids(child.pid);
    expect(pids).toHaveLength(1); // `npm start` execs node: npm and the bot, no shell or loader process between them
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    const run = await child;
    expect(run.code).toBe(0);
    expect(emu.contractViolations).toEqual([]);
    const logFiles = await readdir(path.join(dir, 'logs'));
    expect(logFiles.length).toBeGreaterThan(0);
    for (const f of logFiles) expect(await readFile(path.join(dir, 'logs', f), 'utf8')).not.toContain(emu.token);
    expect(run.stderr + run.stdout).not.toContain(emu.token);
    expect(run.stderr).toContain('connected to Discord');
  }, 40_000);
});

/** The bot processes (`node dist/main.js`) under this test's `npm start` (npm forwards SIGTERM unreliably). */
async function findBotPids(npmPid: number): Promise<number[]> {
  const { execFileSync } = await import('node:child_process');
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? '' }));
  const tree = new Set([npmPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) if (tree.has(r.ppid) && !tree.has(r.pid)) grew = Boolean(tree.add(r.pid));
  }
  return rows.filter((r) => r.pid !== npmPid && tree.has(r.pid)).map((r) => r.pid);
}
