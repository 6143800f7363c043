/**
 * Reshard 2 → 3: settings (guild prefix, channel temperature), global settings (a user's reply prefix) and training
 * records made under 2 shards are all there under 3 shards, although half of the guilds changed shard; under each
 * shard count, each guild's state file was written only by the shard owning it then.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  datasetText,
  ownershipProblems,
  readJournal,
  startShardWorld,
  startSharded,
  type EosRun,
  type ShardWorld,
  buildDist,
  until,
} from './shard-harness.js';
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mention } from './harness.js';
import { shardForGuild } from '../../src/shard/ownership.js';
import { guildDataFiles } from '../../src/tenancy/layout.js';

// Guild ids with (id >> 22) % 6 = 0..3: under 2 shards on 0,1,0,1; under 3 shards on 0,1,2,0 (two of them move).
const SLOTS: [number, number][] = [
  [0, 6],
  [1, 6],
  [2, 6],
  [3, 6],
];
const PREFIXES = ['$', '%', '&', '+'];

let w: ShardWorld;
let run: EosRun | null = null;
/** A reply in guild 2 (shard 0 of 2, shard 2 of 3) captured under 2 shards, rated under 3. */
let movedReply = '';
/** A reply in guild 1 whose candidate is put back in the pre-sharding shared journal (state/candidates.jsonl). */
let legacyReply = '';
/** Bob's reply in guild 1, also put back in the shared journal: Alice's !forget me must leave it. */
let bobReply = '';
let sharedBefore = '';
let sharedIndexBefore = '';

/** Every file under `dir` (recursive) whose content includes `marker`, relative to `dir`. */
async function filesHolding(dir: string, marker: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true })).map(String);
  const out: string[] = [];
  for (const n of names) {
    const text = await readFile(path.join(dir, n), 'utf8').catch(() => null); // folders and vanished files
    if (text?.includes(marker)) out.push(n);
  }
  return out;
}

beforeAll(async () => {
  buildDist(); // dist/ as npm start runs it (only when src/ is newer)
  w = await startShardWorld({ shards: 2, guildShards: SLOTS });
  w.llm.respondWith(() => ({ text: 'ok' }));
}, 240_000);

afterAll(async () => {
  if (run && run.proc.exitCode === null) await run.stop();
  await w?.close();
});

/** Says `content` as the owner in guild i and waits for a new bot message there matching `re`. */
async function command(i: number, content: string, re: RegExp, userId = w.owner.id): Promise<string> {
  const channelId = w.general[i]!.id;
  const before = new Set(w.emu.botMessages(channelId).map((m) => m.id));
  w.emu.userSays({ channelId, userId, content });
  const m = await w.emu.waitFor(() => w.emu.botMessages(channelId).find((x) => !before.has(x.id) && re.test(x.content)), {
    label: `${content} answered with ${re} in guild ${i}`,
    timeoutMs: 20_000,
  });
  return m.content;
}

async function startWith(shards: string, count: number): Promise<EosRun> {
  const started = w.emu.identifies;
  const r = await startSharded(w, { EOS_SHARDS: shards });
  await w.emu.waitFor(() => w.emu.identifies >= started + count && [...Array(count).keys()].every((s) => w.emu.connected(s)), {
    label: `${count} shards connected`,
    timeoutMs: 180_000,
  });
  return r;
}

describe('reshard from 2 to 3 shards', () => {
  test('under 2 shards: settings, a global setting and records in 4 guilds', async () => {
    run = await startWith('2', 2);
    expect(w.guilds.map((g) => shardForGuild(g.id, 2))).toEqual([0, 1, 0, 1]);
    for (const [i, p] of PREFIXES.entries()) {
      await command(i, `!prefix ${p}`, /Prefix set/);
      await command(i, `${p}temperature 0.${i + 1}`, /set to/);
      await command(i, `${p}train User: RESHARD-Q${i}\nAssistant: RESHARD-A${i}`, /Added/);
    }
    await command(3, '+replyprefix [R]', /start with/, w.alice.id);
    w.llm.respondWith(() => ({ text: 'MOVED-REPLY to rate after the reshard' }));
    w.emu.userSays({ channelId: w.general[2]!.id, userId: w.alice.id, content: mention(w.emu.botUser.id, 'say something') });
    const reply = await w.emu.waitFor(
      () => w.emu.botMessages(w.general[2]!.id).find((m) => m.content.includes('MOVED-REPLY') && m.components.length > 0),
      { label: 'a reply with rating buttons in guild 2', timeoutMs: 20_000 },
    );
    movedReply = reply.id;
    // Bob first: his reply's context then holds none of Alice's words (a reply whose context does goes with them).
    w.llm.respondWith(() => ({ text: 'BOB-OLD-REPLY kept after Alice forgets' }));
    const bob = w.emu.createUser({ username: 'bob', globalName: 'Bob' });
    w.emu.addMember(w.guilds[1]!.id, bob.id, {});
    w.emu.userSays({ channelId: w.general[1]!.id, userId: bob.id, content: mention(w.emu.botUser.id, 'BOB-KEEPS these words') });
    bobReply = (
      await w.emu.waitFor(
        () => w.emu.botMessages(w.general[1]!.id).find((m) => m.content.includes('BOB-OLD-REPLY') && m.components.length > 0),
        { label: "Bob's reply with rating buttons in guild 1", timeoutMs: 20_000 },
      )
    ).id;
    w.llm.respondWith(() => ({ text: 'LEGACY-REPLY from before the upgrade' }));
    w.emu.userSays({ channelId: w.general[1]!.id, userId: w.alice.id, content: mention(w.emu.botUser.id, 'say something too') });
    legacyReply = (
      await w.emu.waitFor(
        () => w.emu.botMessages(w.general[1]!.id).find((m) => m.content.includes('LEGACY-REPLY') && m.components.length > 0),
        { label: 'a reply with rating buttons in guild 1', timeoutMs: 20_000 },
      )
    ).id;
    w.llm.respondWith(() => ({ text: 'ok' }));
    expect(await run.stop()).toBe(0);
    // The layout an Eos from before per-server candidates left: guild 1's replies only in the shared journal.
    const own = guildDataFiles(w.dataDir, w.guilds[1]!.id).candidates;
    const lines = (await readFile(own, 'utf8')).split('\n').filter(Boolean);
    const shared = path.join(w.dataDir, 'state', 'candidates.jsonl');
    const legacy = (l: string) => l.includes(legacyReply) || l.includes(bobReply);
    await appendFile(shared, `${lines.filter(legacy).join('\n')}\n`);
    await writeFile(
      own,
      lines
        .filter((l) => !legacy(l))
        .map((l) => `${l}\n`)
        .join(''),
    );
    sharedBefore = await readFile(shared, 'utf8');
    expect(sharedBefore).toContain('say something too');
    expect(sharedBefore).toContain('BOB-KEEPS');
    // Likewise guild 1's !forget me index: back into the one shared index of before.
    const ownIndex = guildDataFiles(w.dataDir, w.guilds[1]!.id).contributions;
    const sharedIndex = path.join(w.dataDir, 'state', 'privacy', 'contributions.jsonl');
    await mkdir(path.dirname(sharedIndex), { recursive: true });
    await appendFile(sharedIndex, await readFile(ownIndex, 'utf8'));
    await rm(ownIndex);
    sharedIndexBefore = await readFile(sharedIndex, 'utf8');
    expect(sharedIndexBefore.length).toBeGreaterThan(0);
    // The candidate is in guild 2's own journal, which moves with the server.
    expect(await readFile(guildDataFiles(w.dataDir, w.guilds[2]!.id).candidates, 'utf8')).toContain(movedReply);
    expect(ownershipProblems(await readJournal(run.journalDir), w.dataDir, 2)).toEqual([]);
  }, 240_000);

  test('under 3 shards (auto: GET /gateway/bot now says 3): every guild keeps its prefix, temperature and records', async () => {
    w.emu.setShardCount(3);
    run = await startWith('auto', 3);
    expect(
      w.emu.identifiedShards
        .slice(-3)
        .map((s) => s.join('/'))
        .sort(),
    ).toEqual(['0/3', '1/3', '2/3']);
    expect(w.guilds.map((g) => shardForGuild(g.id, 3))).toEqual([0, 1, 2, 0]);
    for (const [i, p] of PREFIXES.entries()) {
      expect(await command(i, `${p}temperature`, /Temperature|temperature/)).toContain(`0.${i + 1}`);
    }
    expect(await command(0, '$replyprefix', /reply prefix/, w.alice.id)).toContain('[R]');
    const text = await datasetText(w.dataDir);
    for (const i of [0, 1, 2, 3]) expect(text).toContain(`RESHARD-A${i}`);
    // A reply captured by shard 0 of 2 is rated on shard 2 of 3: its candidate was found, the 👍 became a record.
    w.emu.addReaction({ channelId: w.general[2]!.id, messageId: movedReply, userId: w.alice.id, emoji: '👍' });
    await until(async () => (await datasetText(w.dataDir)).includes('MOVED-REPLY'), 'the 👍 record of the moved reply');
    // A reply known only to the pre-sharding shared journal is found by guild 1's shard (1 of 3), which records the
    // decision in the server's own journal and leaves the shared file as it was.
    w.emu.addReaction({ channelId: w.general[1]!.id, messageId: legacyReply, userId: w.alice.id, emoji: '👍' });
    await until(async () => (await datasetText(w.dataDir)).includes('LEGACY-REPLY'), 'the 👍 record of the pre-sharding reply');
    await until(
      async () =>
        (await readFile(guildDataFiles(w.dataDir, w.guilds[1]!.id).candidates, 'utf8')).includes(
          `"op":"decide","messageId":"${legacyReply}"`,
        ),
      "the decision in guild 1's own journal",
    );
    expect(await readFile(path.join(w.dataDir, 'state', 'candidates.jsonl'), 'utf8')).toBe(sharedBefore);
    // !forget me in guild 1 (shard 1 of 3) finds what Alice wrote there before the upgrade through the shared index;
    // shard 1 hides her old entries (tombstones in the server's own files) and asks shard 0, the only writer of the
    // pre-sharding shared files, to remove them: her words are then in no file at all, Bob's stay.
    const reply = await command(1, '%forget me', /stored line|nothing/i, w.alice.id);
    expect(reply).toMatch(/^Done: removed [1-9]\d* stored line/);
    expect(reply).toMatch(/older shared files.*removed/i);
    expect(await filesHolding(w.dataDir, 'say something too')).toEqual([]);
    expect(await filesHolding(w.dataDir, 'BOB-KEEPS')).toContain(path.join('state', 'candidates.jsonl'));
    expect(await datasetText(w.dataDir)).not.toContain('LEGACY-REPLY'); // the rated record held her words
    const sharedIndexAfter = await readFile(path.join(w.dataDir, 'state', 'privacy', 'contributions.jsonl'), 'utf8');
    const entries = (t: string) => t.split('\n').filter(Boolean);
    expect(entries(sharedIndexAfter).length).toBeGreaterThan(0); // Bob's and the others' entries
    expect(entries(sharedIndexAfter).length).toBeLessThan(entries(sharedIndexBefore).length); // Alice's in guild 1 gone
    expect(entries(sharedIndexBefore)).toEqual(expect.arrayContaining(entries(sharedIndexAfter)));
    expect(await readFile(guildDataFiles(w.dataDir, w.guilds[1]!.id).contributions, 'utf8')).toContain('"forgot":1');
    expect(await run.stop()).toBe(0);
    expect(ownershipProblems(await readJournal(run.journalDir), w.dataDir, 3)).toEqual([]);
    expect(w.emu.shardMisroutes).toEqual([]);
  }, 240_000);
});
