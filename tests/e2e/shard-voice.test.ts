/**
 * Three shards (one process each): voice is opened through the shard that owns the guild (the emulator refuses
 * op 4 from any other shard and records it), in guilds of two different shards at the same time; conversation
 * and an archive in the guild of shard 2; the servers' state files are written only by their shards.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mention } from './harness.js';
import { ownershipProblems, readJournal, startShardWorld, startSharded, type EosRun, type ShardWorld, buildDist } from './shard-harness.js';
import type { EmuChannel } from '../emulator/index.js';

let w: ShardWorld;
let run: EosRun;
let lounges: EmuChannel[];

beforeAll(async () => {
  buildDist(); // dist/ as npm start runs it (only when src/ is newer)
  w = await startShardWorld({ shards: 3 });
  lounges = w.guilds.map((g) => w.emu.createChannel({ guildId: g.id, name: 'Lounge', type: 2 }));
  w.llm.respondWith((req) => ({ text: `heard: ${JSON.stringify(req.messages.at(-1)?.content ?? '').slice(0, 50)}`, chunkSize: 4096 }));
  run = await startSharded(w, {
    EOS_SHARDS: '3',
    NODE_EXTRA_CA_CERTS: w.emu.voice.caCertFile,
    EOS_TTS_PROVIDER: 'flite',
    EOS_STT_PROVIDER: 'openai',
  });
  await w.emu.waitFor(() => [0, 1, 2].every((s) => w.emu.connected(s)) && w.emu.identifiedShards.length >= 3, {
    label: '3 shards connected',
    timeoutMs: 180_000,
  });
}, 240_000);

afterAll(async () => {
  if (run && run.proc.exitCode === null) await run.stop();
  await w?.close();
});

async function command(i: number, content: string, re: RegExp, userId = w.owner.id): Promise<string> {
  const channelId = w.general[i]!.id;
  const msg = w.emu.userSays({ channelId, userId, content });
  const r = await w.emu.waitFor(() => w.emu.botMessages(channelId).find((m) => m.replyTo === msg.id && re.test(m.content)), {
    label: `${content} -> ${re}`,
    timeoutMs: 30_000,
  });
  return r.content;
}

describe('three shards', () => {
  test('voice joins in the guilds of shards 1 and 2 go through those shards', async () => {
    for (const i of [1, 2]) w.emu.voice.userJoinsVoice({ guildId: w.guilds[i]!.id, channelId: lounges[i]!.id, userId: w.alice.id });
    // No wait needed: each guild's shard receives its VOICE_STATE_UPDATE before the !join's MESSAGE_CREATE, in order.
    const joined = await Promise.all([1, 2].map((i) => command(i, '!join', /./, w.alice.id)));
    for (const j of joined) expect(j).toMatch(/^Joined <#\d+>/);
    for (const i of [1, 2]) {
      const conn = await w.emu.voice.waitForConnection(w.guilds[i]!.id);
      expect(conn.selfDeaf).toBe(false);
      await w.emu.voice.waitForDave(w.guilds[i]!.id);
    }
    expect(w.emu.shardMisroutes).toEqual([]);
    expect(w.emu.voice.violations).toEqual([]);
    await Promise.all([1, 2].map((i) => command(i, '!leave', /./, w.alice.id)));
  }, 60_000);

  test('conversation and !archive all in the guild of shard 2', async () => {
    w.emu.userSays({ channelId: w.general[2]!.id, userId: w.alice.id, content: mention(w.emu.botUser.id, 'third shard here') });
    await w.emu.waitFor(() => w.emu.botMessages(w.general[2]!.id).find((m) => m.content.includes('third shard here')), {
      label: 'reply on shard 2',
      timeoutMs: 20_000,
    });
    await command(2, '!train User: ARCHIVE-ME-Q\nAssistant: ARCHIVE-ME-A', /Added/);
    const dm = w.emu.createDM(w.owner.id);
    const before = w.emu.botMessages().length;
    w.emu.userSays({ channelId: w.general[2]!.id, userId: w.owner.id, content: '!archive all' });
    const zipped = await w.emu.waitFor(
      () =>
        w.emu
          .botMessages()
          .slice(before)
          .find((m) => m.attachments.some((a) => a.filename.endsWith('.zip'))),
      {
        label: 'an archive (zip) sent to the channel or to the owner',
        timeoutMs: 30_000,
      },
    );
    expect([w.general[2]!.id, dm.id]).toContain(zipped.channelId);
  }, 60_000);

  test("SIGTERM stops the 3 shards; no file had two writers, each guild's files only its shard's", async () => {
    expect(await run.stop()).toBe(0);
    expect(ownershipProblems(await readJournal(run.journalDir), w.dataDir, 3)).toEqual([]);
  }, 60_000);
});
