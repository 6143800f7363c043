/**
 * Eos under discord.js's ShardingManager with 2 shards (one process each) against the sharded emulator:
 * conversation, per-guild settings, global settings through the manager, training and feedback in guilds of
 * different shards, `!shards` answering the same from both shards and DMs, a SIGKILLed shard respawned with every
 * acknowledged record kept, SIGTERM stopping everything cleanly, and no file ever written by two processes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  datasetText,
  ownershipProblems,
  readJournal,
  writtenBy,
  shardStatus,
  startShardWorld,
  startSharded,
  until,
  type EosRun,
  type ShardWorld,
  buildDist,
} from './shard-harness.js';
import { mention, PROJECT_ROOT } from './harness.js';
import { allStoredText } from './stored-text.js';
import { guildStateFile } from '../../src/shard/ownership.js';
import { guildDataFiles } from '../../src/tenancy/layout.js';
import { cliShards } from '../../src/cli/shards.js';
import { loadConfig } from '../../src/config.js';

let w: ShardWorld;
let run: EosRun;

beforeAll(async () => {
  buildDist(); // dist/ as npm start runs it (only when src/ is newer)
  w = await startShardWorld({ shards: 2 });
  w.llm.respondWith((req) => ({ text: `reply to: ${JSON.stringify(req.messages.at(-1)?.content ?? '').slice(0, 60)}` }));
  run = await startSharded(w, { EOS_SHARDS: '2' });
  await w.emu.waitFor(() => w.emu.identifiedShards.length >= 2 && w.emu.connected(0) && w.emu.connected(1), {
    label: 'both shards identified',
    timeoutMs: 180_000,
  });
}, 240_000);

afterAll(async () => {
  if (run.proc.exitCode === null) await run.stop();
  await w?.close();
});

const say = (i: number, content: string, userId = w.alice.id) => w.emu.userSays({ channelId: w.general[i]!.id, userId, content });
const botSaysIn = (i: number, pred: (c: string) => boolean, label: string) =>
  w.emu.waitFor(() => w.emu.botMessages(w.general[i]!.id).find((m) => pred(m.content)), { label, timeoutMs: 20_000 });

describe('two shards, one process each', () => {
  test('each shard connects with its own shard id and only sees its guild', () => {
    expect(
      w.emu.identifiedShards
        .slice(0, 2)
        .map((s) => s.join('/'))
        .sort(),
    ).toEqual(['0/2', '1/2']);
    expect(w.emu.shardMisroutes).toEqual([]);
  });

  test('conversation: a mention is answered in the guilds of both shards', async () => {
    say(0, mention(w.emu.botUser.id, 'hello from server zero'));
    say(1, mention(w.emu.botUser.id, 'hello from server one'));
    await botSaysIn(0, (c) => c.includes('hello from server zero'), 'reply in guild 0');
    await botSaysIn(1, (c) => c.includes('hello from server one'), 'reply in guild 1');
  });

  test('per-guild settings go to guilds/<gid>/state.json of that guild, written by its shard', async () => {
    say(1, '!prefix ?', w.owner.id);
    await botSaysIn(1, (c) => c.includes('?'), 'prefix changed');
    say(1, '?ping', w.owner.id);
    await botSaysIn(1, (c) => /pong/i.test(c), 'pong with the new prefix');
    const file = JSON.parse(await readFile(guildStateFile(w.dataDir, w.guilds[1]!.id), 'utf8')) as {
      guilds: Record<string, { prefix?: string }>;
    };
    expect(file.guilds[w.guilds[1]!.id]?.prefix).toBe('?');
    // Guild 0 (other shard) keeps the default prefix.
    say(0, '!ping', w.owner.id);
    await botSaysIn(0, (c) => /pong/i.test(c), 'pong with ! in guild 0');
  });

  test('global settings: set on shard 1, written by the manager, seen by shard 0', async () => {
    say(1, '?replyprefix [A]');
    await botSaysIn(1, (c) => c.includes('[A]'), 'replyprefix confirmed');
    const global = JSON.parse(await readFile(path.join(w.dataDir, 'state', 'eos.json'), 'utf8')) as {
      users: Record<string, { replyPrefix?: string }>;
    };
    expect(global.users[w.alice.id]?.replyPrefix).toBe('[A]');
    say(0, mention(w.emu.botUser.id, 'prefixed please'));
    await botSaysIn(0, (c) => c.startsWith('[A]') && c.includes('prefixed please'), 'reply with the global reply prefix on shard 0');
  });

  test('!shards answers the same from both shards and from a DM: every shard with its servers', async () => {
    const dm = w.emu.createDM(w.owner.id);
    for (const [channel, i] of [
      [w.general[0]!.id, 0],
      [w.general[1]!.id, 1],
      [dm.id, 2],
    ] as const) {
      w.emu.userSays({ channelId: channel, userId: w.owner.id, content: i === 1 ? '?shards' : '!shards' });
    }
    const answers = await Promise.all(
      [w.general[0]!.id, w.general[1]!.id, dm.id].map((c) =>
        w.emu.waitFor(() => w.emu.botMessages(c).find((m) => m.content.includes('shard 1/2')), {
          label: `!shards in ${c}`,
          timeoutMs: 20_000,
        }),
      ),
    );
    for (const a of answers) {
      expect(a.content).toMatch(/shard 0\/2: ready, 1 servers/);
      expect(a.content).toMatch(/shard 1\/2: ready, 1 servers/);
      expect(a.content).toContain('total: 2 servers on 2 answering shards');
    }
  });

  test('cli shards (what `npm run cli -- shards` runs) prints every shard with servers, ping, uptime and memory', async () => {
    await shardStatus(w.dataDir, 2);
    const lines: string[] = [];
    const config = loadConfig({ env: { EOS_DATA_DIR: w.dataDir }, cwd: PROJECT_ROOT, envFile: false });
    expect(await cliShards(config, (l) => lines.push(l))).toBe(0);
    const out = lines.join('\n');
    expect(out).toMatch(/running, shards 0,1 of 2/);
    expect(out).toMatch(/shard 0\/2: ready, 1 servers, ping .*, up .*, RSS \d+ MB/);
    expect(out).toMatch(/shard 1\/2: ready, 1 servers/);
  });

  test('training in guilds of both shards: !train is acknowledged on each shard and the records are on disk', async () => {
    say(0, '!train User: SHARD0-Q\nAssistant: SHARD0-A', w.owner.id);
    say(1, '?train User: SHARD1-Q\nAssistant: SHARD1-A', w.owner.id);
    await botSaysIn(0, (c) => /Added/.test(c), '!train acknowledged on shard 0');
    await botSaysIn(1, (c) => /Added/.test(c), '!train acknowledged on shard 1');
    const all = await datasetText(w.dataDir);
    expect(all).toContain('SHARD0-A');
    expect(all).toContain('SHARD1-A');
  });

  test('feedback: a 👍 on a reply in the guild of shard 1 becomes a record', async () => {
    say(1, mention(w.emu.botUser.id, 'FEEDBACK-ME please'));
    const reply = await botSaysIn(1, (c) => c.includes('FEEDBACK-ME'), 'reply to rate');
    await w.emu.waitFor(() => w.emu.messages(w.general[1]!.id).find((m) => m.id === reply.id && m.components.length > 0), {
      label: 'rating buttons',
      timeoutMs: 20_000,
    });
    w.emu.addReaction({ channelId: w.general[1]!.id, messageId: reply.id, userId: w.alice.id, emoji: '👍' });
    await until(async () => (await datasetText(w.dataDir)).includes('FEEDBACK-ME'), 'the 👍 record on disk');
    // The rated reply was a candidate in its server's own journal (written by shard 1), not in the DM one.
    const own = await readFile(guildDataFiles(w.dataDir, w.guilds[1]!.id).candidates, 'utf8');
    expect(own).toContain('FEEDBACK-ME');
    expect(own).toContain(`"op":"decide","messageId":"${reply.id}"`);
    expect(await readFile(path.join(w.dataDir, 'state', 'candidates.jsonl'), 'utf8').catch(() => '')).not.toContain('FEEDBACK-ME');
  });

  test("a DM conversation goes to the owners' files, kept by shard 0; a server's !forget me index is its own", async () => {
    const dm = w.emu.createDM(w.alice.id);
    w.emu.userSays({ channelId: dm.id, userId: w.alice.id, content: 'DM-TALK hello there' });
    await w.emu.waitFor(() => w.emu.botMessages(dm.id).find((m) => m.content.includes('DM-TALK')), {
      label: 'DM reply',
      timeoutMs: 20_000,
    });
    await until(
      async () => (await readFile(path.join(w.dataDir, 'state', 'candidates.jsonl'), 'utf8').catch(() => '')).includes('DM-TALK'),
      'the DM reply in the DM candidate journal',
    );
    // Alice spoke in guild 1 (shard 1): her keyed hashes are in guild 1's index file, none of guild 0's.
    await until(
      async () => (await readFile(guildDataFiles(w.dataDir, w.guilds[1]!.id).contributions, 'utf8').catch(() => '')).length > 0,
      "guild 1's contribution index",
    );
  });

  test("!forget me in the guild of shard 1 removes Bob's texts from that server's files (rewritten by shard 1 only)", async () => {
    const bob = w.emu.createUser({ username: 'bob', globalName: 'Bob' });
    w.emu.addMember(w.guilds[1]!.id, bob.id, {});
    say(1, mention(w.emu.botUser.id, 'BOB-SECRET words to forget'), bob.id);
    const reply = await botSaysIn(1, (c) => c.includes('BOB-SECRET'), 'reply to Bob');
    await w.emu.waitFor(() => w.emu.messages(w.general[1]!.id).find((m) => m.id === reply.id && m.components.length > 0), {
      label: "buttons on Bob's reply",
      timeoutMs: 20_000,
    });
    w.emu.addReaction({ channelId: w.general[1]!.id, messageId: reply.id, userId: w.alice.id, emoji: '👍' });
    await until(async () => (await datasetText(w.dataDir)).includes('BOB-SECRET'), "the 👍 record holding Bob's words");
    say(1, '?forget me', bob.id);
    await botSaysIn(1, (c) => /^Done: removed [1-9]\d* stored line/.test(c), '!forget me done');
    // His line in the conversation log, the rated record and the candidate went; Eos's own echo of it (not his) stays.
    const userLines = (await allStoredText(w.dataDir)).split('\n').filter((l) => l.includes('"role":"user"'));
    expect(userLines.filter((l) => l.includes('BOB-SECRET'))).toEqual([]);
    expect(await datasetText(w.dataDir)).not.toContain('BOB-SECRET');
    expect(await readFile(guildDataFiles(w.dataDir, w.guilds[1]!.id).candidates, 'utf8')).not.toContain('BOB-SECRET');
    expect(await datasetText(w.dataDir)).toContain('FEEDBACK-ME'); // Alice's stay
  });

  test('a SIGKILLed shard is respawned, resumes answering, every acknowledged record is kept; SIGTERM stops all cleanly; no file has two writers', async () => {
    say(1, '?train User: BEFORE-KILL-Q\nAssistant: BEFORE-KILL-A', w.owner.id);
    await w.emu.waitFor(() => w.emu.botMessages(w.general[1]!.id).filter((m) => /Added/.test(m.content)).length >= 2, {
      label: 'second !train acknowledged',
      timeoutMs: 20_000,
    });
    const status = await shardStatus(w.dataDir, 2);
    const pid1 = status.shards.find((s) => s.shard === 1)?.result?.pid;
    expect(pid1).toBeGreaterThan(0);
    const before = w.emu.identifies;
    process.kill(pid1!, 'SIGKILL');
    await w.emu.waitFor(() => w.emu.identifies > before && w.emu.connected(1), { label: 'shard 1 identified again', timeoutMs: 60_000 });
    say(1, '?ping', w.owner.id);
    await w.emu.waitFor(() => w.emu.botMessages(w.general[1]!.id).filter((m) => /pong/i.test(m.content)).length >= 2, {
      label: 'pong after respawn',
      timeoutMs: 20_000,
    });
    for (const marker of ['SHARD0-A', 'SHARD1-A', 'BEFORE-KILL-A', 'FEEDBACK-ME']) expect(await datasetText(w.dataDir)).toContain(marker);
    const code = await run.stop();
    expect(code).toBe(0);
    expect(run.stderr()).toContain('all shards stopped');
    // Every file under the data folder has one writer: guilds/<gid>/** (candidates, privacy index, datasets, state)
    // only gid's shard, the owners' tenant and DM state (datasets/, cache/, state/candidates.jsonl, state/privacy*)
    // only shard 0, state/eos.json only the manager.
    const journal = await readJournal(run.journalDir);
    expect(ownershipProblems(journal, w.dataDir, 2)).toEqual([]);
    const table = [...writtenBy(journal, w.dataDir)].map(([role, files]) => `${role}: ${[...files].sort().join(', ')}`);
    console.info(`files written, by process:\n${table.join('\n')}`);
  }, 120_000);
});
