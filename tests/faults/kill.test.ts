/**
 * Fault: the real bot (`node --import tsx src/main.ts`) is SIGKILLed while it writes many `!train` examples
 * into the dataset store. After a restart on the same data folder (startEos, which repairs torn tails), every
 * record the bot acknowledged is in the files, every line of every dataset file parses, and the manifest
 * counts match the files.
 *  - Discord mode: users in several channels send multi-line `!train` messages without waiting, so the router
 *    handles many of them at once; "acknowledged" = the bot's "Added N examples" reply reached the emulator.
 *  - Console mode: one-line JSONL `!train` commands on stdin (handled one at a time); "acknowledged" = the
 *    "Added 1 example" line on stdout.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startEos } from '../../src/app.js';
import { PROJECT_ROOT } from '../e2e/harness.js';
import { startDiscordEmulator, type DiscordEmulator } from '../emulator/index.js';
import { ensureDead, readDataset, spawnBot, type BotProcess } from './child.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eos-faults-kill-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Restarts Eos in-process (console mode) on `dataDir`, runs `!datasets`, and returns what it printed. */
async function restartAndList(dataDir: string): Promise<string> {
  const config = loadConfig({ env: { EOS_DATA_DIR: dataDir, EOS_LOG_LEVEL: 'warn' }, cwd: PROJECT_ROOT, envFile: false });
  const output = new PassThrough();
  let printed = '';
  output.on('data', (d: Buffer) => (printed += String(d)));
  const app = await startEos({ config, input: Readable.from(['!datasets\n']), output, logDestination: new PassThrough().resume() });
  await app.done;
  await app.stop();
  return printed;
}

/** After the restart: no broken line, every acknowledged question present, manifest = files, !datasets agrees. */
async function expectAcknowledgedRecordsIntact(dataDir: string, acked: { positive: string[]; negative: string[] }): Promise<void> {
  const listing = await restartAndList(dataDir);
  const after = await readDataset(path.join(dataDir, 'datasets'));
  expect(after.broken).toEqual([]);
  for (const kind of ['positive', 'negative'] as const) {
    const onDisk = new Set(after.firsts[kind]);
    expect(
      acked[kind].filter((q) => !onDisk.has(q)),
      `acknowledged ${kind} records missing`,
    ).toEqual([]);
  }
  const counts = {
    positive: after.firsts.positive.length,
    negative: after.firsts.negative.length,
    preference: after.firsts.preference.length,
  };
  expect(after.manifestCounts).toEqual(counts);
  expect(listing).toContain(`**default** (active): ${counts.positive} positive, ${counts.negative} negative`);
}

/** A Discord world for the child bot: several users and text channels. */
function buildWorld(emu: DiscordEmulator) {
  const guild = emu.createGuild({ name: 'Crash Lab' });
  const users = Array.from({ length: 6 }, (_, i) => emu.createUser({ username: `trainer${i}` }));
  for (const u of users) emu.addMember(guild.id, u.id);
  const channels = Array.from({ length: 4 }, (_, i) => emu.createChannel({ guildId: guild.id, name: `train-${i}` }));
  return { users, channels };
}

/** `!train` text for message `n`: 1 to 3 User/Assistant pairs, some padded to ~1.5 KB. */
function trainMessage(n: number): { content: string; kind: 'positive' | 'negative'; questions: string[] } {
  const kind = n % 3 === 0 ? 'negative' : 'positive';
  const pairs = 1 + (n % 3);
  const pad = n % 5 === 0 ? ' ' + 'x'.repeat(1400 / pairs) : '';
  const questions = Array.from({ length: pairs }, (_, j) => `crash question ${n}.${j}`);
  const body = questions.map((q, j) => `User: ${q}\nAssistant: answer ${n}.${j}${pad}`).join('\n\n');
  return { content: `!train ${kind === 'negative' ? 'negative ' : ''}${body}`, kind, questions };
}

describe('SIGKILL during dataset writes through the real bot', () => {
  test('Discord: concurrent !train messages; every acknowledged record survives the kill', async () => {
    const emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
    cleanups.push(() => emu.close());
    const { users, channels } = buildWorld(emu);
    const dataDir = await tempDataDir();
    // This test is about crash durability, not tenancy or the per-user rate limit: one shared data folder
    // (perServerData off, so members' !train is written at once to datasets/) and no rate limit on the trainers.
    const configFile = path.join(dataDir, 'eos.config.json');
    await writeFile(configFile, JSON.stringify({ perServerData: false, conversation: { userRateLimit: { count: 0 } } }));
    const bot: BotProcess = spawnBot({
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.restBase,
      EOS_DATA_DIR: dataDir,
      EOS_LOG_LEVEL: 'warn',
      EOS_CONFIG: configFile,
    });
    cleanups.push(() => ensureDead(bot));
    await emu.waitFor(() => emu.connected() && emu.commands.global.length > 0, { timeoutMs: 25_000, label: 'bot connected' });

    const sent = new Map<string, ReturnType<typeof trainMessage>>();
    const acked = () => {
      const out = { positive: [] as string[], negative: [] as string[], messages: 0 };
      for (const m of emu.botMessages()) {
        const t = m.replyTo ? sent.get(m.replyTo) : undefined;
        if (!t) continue;
        expect(m.content).toBe(`Added ${t.questions.length} example${t.questions.length > 1 ? 's' : ''} to **default** (${t.kind}).`);
        out[t.kind].push(...t.questions);
        out.messages++;
      }
      return out;
    };
    let n = 0;
    const deadline = Date.now() + 35_000;
    // Keep about 150 messages in flight (a loaded CI machine must not drown the bot before it answers).
    while (acked().messages < 60) {
      if (bot.child.exitCode !== null) throw new Error(`bot exited early: ${bot.stderr()}`);
      if (sent.size - acked().messages < 150) {
        for (let k = 0; k < 12; k++, n++) {
          const t = trainMessage(n);
          const msg = emu.userSays({
            channelId: channels[n % channels.length]!.id,
            userId: users[n % users.length]!.id,
            content: t.content,
          });
          sent.set(msg.id, t);
        }
      }
      await new Promise((r) => setTimeout(r, 10));
      if (Date.now() > deadline) throw new Error(`no acknowledgements within 35 s (${sent.size} sent)`);
    }
    bot.child.kill('SIGKILL');
    const { signal } = await bot.exited;
    const final = acked();
    expect(signal).toBe('SIGKILL');
    // The kill landed with work in flight: messages sent but not yet acknowledged.
    expect(sent.size - final.messages).toBeGreaterThan(20);
    await expectAcknowledgedRecordsIntact(dataDir, final);
  }, 70_000);

  test('console: one-line JSONL !train commands on stdin; every acknowledged line survives the kill', async () => {
    const dataDir = await tempDataDir();
    const bot = spawnBot({ EOS_DATA_DIR: dataDir, EOS_LOG_LEVEL: 'warn' }, { stdin: 'pipe' });
    cleanups.push(() => ensureDead(bot));
    const lines = Array.from({ length: 4000 }, (_, i) => {
      const kind = i % 4 === 0 ? 'negative ' : '';
      const rec = {
        messages: [
          { role: 'user', content: `console question ${i}` },
          { role: 'assistant', content: `answer ${i} ${'y'.repeat((i * 37) % 900)}` },
        ],
      };
      return `!train ${kind}${JSON.stringify(rec)}\n`;
    });
    bot.child.stdin!.on('error', () => undefined);
    bot.child.stdin!.write(lines.join(''));
    const acks = () =>
      bot
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('Eos: Added')).length;
    const started = Date.now();
    while (acks() < 150) {
      if (bot.child.exitCode !== null || Date.now() - started > 25_000) throw new Error(`no acknowledgements: ${bot.stderr()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    bot.child.kill('SIGKILL');
    expect((await bot.exited).signal).toBe('SIGKILL');
    const complete = bot
      .stdout()
      .slice(0, bot.stdout().lastIndexOf('\n') + 1)
      .split('\n')
      .filter((l) => l.trim());
    const acked = { positive: [] as string[], negative: [] as string[] };
    // Lines are handled one at a time, in order: the k-th reply acknowledges the k-th line.
    for (const [k, reply] of complete.entries()) {
      const kind = k % 4 === 0 ? 'negative' : 'positive';
      expect(reply).toBe(`Eos: Added 1 example to **default** (${kind}).`);
      acked[kind].push(`console question ${k}`);
    }
    expect(complete.length).toBeLessThan(lines.length);
    await expectAcknowledgedRecordsIntact(dataDir, acked);
  }, 40_000);
});
