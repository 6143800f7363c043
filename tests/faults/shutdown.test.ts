/**
 * Shutdown: SIGINT and SIGTERM to the real bot (`node --import tsx src/main.ts`) while it is in a voice channel
 * and a stream of `!train` messages is being written. It must leave voice (op 4 with channel_id null reaches the
 * emulator and the voice connection closes), flush its writes (every acknowledged record is on disk, every line
 * parses, and manifest.json, written debounced, already matches the files without any repair), and exit 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startDiscordEmulator } from '../emulator/index.js';
import { ensureDead, readDataset, spawnBot, type BotProcess } from './child.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Records on disk before the signal is sent. */
const WRITTEN_BEFORE_SIGNAL = 50;

describe.each(['SIGINT', 'SIGTERM'] as const)('%s', (signal) => {
  test('leaves voice, flushes pending dataset writes, exits 0', async () => {
    const emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
    cleanups.push(() => emu.close());
    const guild = emu.createGuild({ name: 'Shutdown Lab' });
    const alice = emu.createUser({ username: 'alice' });
    emu.addMember(guild.id, alice.id);
    const text = emu.createChannel({ guildId: guild.id, name: 'general' });
    const lounge = emu.createChannel({ guildId: guild.id, name: 'Lounge', type: 2 });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'eos-faults-shutdown-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const bot: BotProcess = spawnBot({
      // Alice is the owner: her !train is written at once (a member's waits for review) and not rate limited.
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.restBase,
      EOS_DATA_DIR: dataDir,
      EOS_LOG_LEVEL: 'info',
      EOS_OWNER_IDS: alice.id,
      EOS_STT_PROVIDER: 'offline',
      EOS_TTS_PROVIDER: 'flite',
      NODE_EXTRA_CA_CERTS: emu.voice.caCertFile,
    });
    cleanups.push(() => ensureDead(bot));
    await emu.waitFor(() => emu.connected() && emu.commands.global.length > 0, { timeoutMs: 25_000, label: 'bot connected' });

    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: lounge.id, userId: alice.id });
    const join = emu.userSays({ channelId: text.id, userId: alice.id, content: '!join' });
    await emu.waitForBotMessage(text.id, (m) => m.replyTo === join.id && m.content.startsWith('Joined'), { timeoutMs: 15_000 });
    await emu.voice.waitForConnection(guild.id);

    // !train messages keep coming (10 every 5 ms, at most ~100 unanswered: unbounded, a loaded machine drowned the
    // bot in tens of thousands of queued messages before it wrote anything); the signal lands while records are
    // being written.
    const sent = new Map<string, string>();
    let n = 0;
    const answered = () => emu.botMessages(text.id).filter((m) => m.replyTo && sent.has(m.replyTo)).length;
    const pump = setInterval(() => {
      if (sent.size - answered() >= 100) return;
      for (let j = 0; j < 10; j++, n++) {
        const q = `shutdown question ${n}`;
        const msg = emu.userSays({
          channelId: text.id,
          userId: alice.id,
          content: `!train User: ${q}\nAssistant: answer ${n} ${'z'.repeat((n % 20) * 50)}`,
        });
        sent.set(msg.id, q);
      }
    }, 5);
    cleanups.push(() => clearInterval(pump));
    // Per-server data (the product default): the server's datasets live under guilds/<id>/.
    const root = path.join(dataDir, 'guilds', guild.id, 'datasets');
    for (const started = Date.now(); (await readDataset(root)).firsts.positive.length < WRITTEN_BEFORE_SIGNAL;) {
      if (Date.now() - started > 15_000) throw new Error('records are not being written');
      await new Promise((r) => setTimeout(r, 10));
    }
    const signalledAt = Date.now();
    bot.child.kill(signal);
    const exit = await bot.exited;
    clearInterval(pump);
    const exitMs = Date.now() - signalledAt;

    expect(exit, bot.stderr().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(20_000);
    // Left voice: op 4 with channel_id null, and the voice connection is gone.
    expect(emu.voiceStateUpdates).toContainEqual(expect.objectContaining({ guild_id: guild.id, channel_id: null }));
    expect(emu.voice.connection(guild.id)).toBeNull();
    // Flushed: files intact, manifest up to date, every acknowledged record there.
    const onDisk = await readDataset(root);
    expect(onDisk.broken).toEqual([]);
    expect(onDisk.manifestCounts).toEqual({ positive: onDisk.firsts.positive.length, negative: 0, preference: 0 });
    const acked = emu
      .botMessages(text.id)
      .filter((m) => m.replyTo && sent.has(m.replyTo))
      .map((m) => sent.get(m.replyTo!)!);
    const written = new Set(onDisk.firsts.positive);
    expect(acked.filter((q) => !written.has(q))).toEqual([]);
    expect(bot.stderr()).toContain('shutting down');
    expect(bot.stderr()).toContain('Eos stopped');
    expect(emu.contractViolations).toEqual([]);
    expect(emu.voice.violations).toEqual([]);
  }, 50_000);
});
