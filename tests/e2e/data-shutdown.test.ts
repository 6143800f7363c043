/**
 * Issue 8, "SIGTERM mid-stream leaves a half reply with no note": the real entry point (src/main.ts
 * through tsx) in its own process, the emulator and the fake LLM in this one; SIGTERM while a reply
 * streams. The partial reply must be edited with a short note before the process exits.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { PROJECT_ROOT, mention } from './harness.js';
import { startDiscordEmulator } from '../emulator/index.js';
import { startFakeLlm } from '../llm-server/index.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('SIGTERM while a reply streams: the shown part is edited with a note, then the process exits 0', async () => {
  const emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
  cleanups.push(() => emu.close());
  const llm = await startFakeLlm();
  cleanups.push(() => llm.close());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eos-sigterm-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const alice = emu.createUser({ username: 'alice', globalName: 'Alice' });
  const guild = emu.createGuild({ name: 'Eos Lab' });
  emu.addMember(guild.id, alice.id);
  const general = emu.createChannel({ guildId: guild.id, name: 'general' });
  await writeFile(
    path.join(dataDir, 'eos.config.json'),
    JSON.stringify({
      conversation: { streamEditIntervalMs: 250, userRateLimit: { count: 0 } },
      slash: { register: false },
      privacy: { recordByDefault: true },
    }),
  );
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_)/.test(k)));
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...clean,
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.restBase,
      EOS_DATA_DIR: dataDir,
      OPENAI_API_KEY: llm.apiKey,
      OPENAI_BASE_URL: llm.baseURL,
      EOS_CHAT_MODEL: 'eos-test-model',
      EOS_LOG_LEVEL: 'warn',
    },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  cleanups.push(async () => child.exitCode === null && child.kill('SIGKILL'));
  await emu.waitFor(() => emu.identifies >= 1 && emu.connected(), { label: 'Eos connected', timeoutMs: 60_000 });
  llm.queue({
    text: 'A long answer that streams slowly, word by word, until the process is told to stop. '.repeat(3),
    chunkSize: 4,
    chunkDelayMs: 80,
  });
  const q = emu.userSays({ channelId: general.id, userId: alice.id, content: mention(emu.botUser.id, 'tell me a long story') });
  const partial = await emu.waitForBotMessage(general.id, (m) => m.replyTo === q.id, { timeoutMs: 30_000 });
  child.kill('SIGTERM');
  expect(await exited, stderr).toBe(0);
  const shown = emu.messages(general.id).find((m) => m.id === partial.id)!;
  expect(shown.content).toMatch(/^A lo/);
  expect(shown.content).toMatch(/\n\n\(Cut off: I was shut down mid-reply\. Ask again in a moment\.\)$/);
  expect(shown.components).toEqual([]);
  expect(emu.contractViolations).toEqual([]);
}, 120_000);
