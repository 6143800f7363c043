/**
 * The `!forget me` index per server: which file a contribution goes to (guilds/<id>/privacy/contributions.jsonl, DMs:
 * state/privacy/), the pre-sharding shared index read as a fallback, and a forget on a process that may not rewrite
 * the shared file (a tombstone in the server's own). Also `!forget me` through buildPrivacy on such a process: the
 * shared candidate journal is only read, the matching replies are dropped from memory.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { tempDir } from '../datasets/helpers.js';
import { describe, expect, test } from 'vitest';
import { ConversationLog } from '../../../src/datasets/conversation-log.js';
import { ContributionIndex, type IndexLayout } from '../../../src/privacy/contributions.js';
import { keyedHasher, loadOrCreateSecret } from '../../../src/privacy/secret.js';
import { buildPrivacy } from '../../../src/privacy/wiring.js';
import { createStateStore } from '../../../src/state/store.js';
import { guildDataFiles } from '../../../src/tenancy/layout.js';

const G1 = '100000000000000001';
const G2 = '100000000000000002';
const ALICE = '200000000000000001';
const BOB = '200000000000000002';
const hash = keyedHasher(Buffer.alloc(32, 7));
const read = (f: string) => readFile(f, 'utf8').catch(() => '');

async function world() {
  const d = await tempDir();
  const dmFile = path.join(d, 'state', 'privacy', 'contributions.jsonl');
  const layout = (ownsDms: boolean, owns: string[]): IndexLayout => ({
    dmFile,
    guildFile: (g) => guildDataFiles(d, g).contributions,
    guildsDir: path.join(d, 'guilds'),
    ownsDms,
    ownsGuild: (g) => owns.includes(g),
  });
  const open = async (ownsDms: boolean, owns: string[]) => {
    const idx = new ContributionIndex(layout(ownsDms, owns), hash);
    await idx.load();
    return idx;
  };
  /** What the pre-sharding bot left: one index file for every server. */
  const legacy = async (entries: [string | null, string, string][]) => {
    const old = new ContributionIndex(dmFile, hash);
    for (const [g, u, text] of entries) await old.note(g, u, [text]);
    await old.close();
  };
  return { d, dmFile, open, legacy, file: (g: string) => guildDataFiles(d, g).contributions };
}

describe('contribution index, one file per server', () => {
  test("a server's contributions go to its own file, DMs' to state/privacy/; textsOf reads the server's and the shared index", async () => {
    const w = await world();
    const idx = await w.open(true, [G1, G2]);
    await idx.note(G1, ALICE, ['alice in one']);
    await idx.note(G2, ALICE, ['alice in two']);
    await idx.note(null, ALICE, ['alice by DM']);
    await idx.flush();
    expect(idx.openFiles()).toBe(3); // every server's file stays open between batches (no reopening per message)
    await idx.close();
    const [one, two, dm] = await Promise.all([read(w.file(G1)), read(w.file(G2)), read(w.dmFile)]);
    expect([one, two, dm].map((t) => t.trim().split('\n').length)).toEqual([1, 1, 1]);
    expect(idx.fileOf(G1)).toBe(w.file(G1));
    expect(idx.fileOf(null)).toBe(w.dmFile);
    const again = await w.open(false, [G1]);
    expect(again.textsOf(G1, ALICE)).toEqual(new Set([again.textKey('alice in one')]));
    expect(again.textsOf(G2, ALICE).size).toBe(0); // G2's file belongs to another process: not loaded
  });

  test('a server this process does not own, or DMs on a shard other than 0: kept in memory, no file written', async () => {
    const w = await world();
    const idx = await w.open(false, [G1]);
    await idx.note(G2, ALICE, ['elsewhere']);
    await idx.note(null, ALICE, ['by DM']);
    await idx.close();
    expect(idx.textsOf(G2, ALICE).size).toBe(1);
    expect(await read(w.file(G2))).toBe('');
    expect(await read(w.dmFile)).toBe('');
  });

  test('legacy entries of a server are found; a forget where the shared file is not owned leaves it alone and writes a tombstone', async () => {
    const w = await world();
    await w.legacy([
      [G1, ALICE, 'old alice text'],
      [G1, BOB, 'old bob text'],
    ]);
    const before = await read(w.dmFile);
    const shard1 = await w.open(false, [G1]);
    await shard1.note(G1, ALICE, ['new alice text']);
    expect(shard1.textsOf(G1, ALICE).size).toBe(2);
    expect(shard1.textsOf(G1, BOB).size).toBe(1);
    await shard1.drop(G1, ALICE);
    await shard1.close();
    expect(await read(w.dmFile)).toBe(before);
    expect(await read(w.file(G1))).toBe(`${JSON.stringify({ u: shard1.userKey(G1, ALICE), forgot: 1 })}\n`);
    // After a restart (or a reshard: the file moves with the server) Alice is forgotten, Bob is not.
    const again = await w.open(false, [G1]);
    expect(again.textsOf(G1, ALICE).size).toBe(0);
    expect(again.textsOf(G1, BOB).size).toBe(1);
    // She speaks again: that is indexed (after the tombstone), and survives a second forget of Bob.
    await again.note(G1, ALICE, ['alice again']);
    await again.drop(G1, BOB);
    await again.close();
    const third = await w.open(true, [G1]);
    expect(third.textsOf(G1, ALICE)).toEqual(new Set([third.textKey('alice again')]));
    expect(third.textsOf(G1, BOB).size).toBe(0);
  });

  test('on the process owning the shared file, a forget rewrites it without the user', async () => {
    const w = await world();
    await w.legacy([
      [G1, ALICE, 'old alice text'],
      [G1, BOB, 'old bob text'],
    ]);
    const shard0 = await w.open(true, [G1]);
    await shard0.drop(G1, ALICE);
    await shard0.close();
    const dm = await read(w.dmFile);
    expect(dm).not.toContain(shard0.userKey(G1, ALICE));
    expect(dm).toContain(shard0.userKey(G1, BOB));
  });
});

describe('!forget me on a shard other than 0', () => {
  test('the shared candidate journal is only read: her old replies are dropped from memory, the file is not written', async () => {
    const d = await tempDir();
    const stateFile = path.join(d, 'state', 'eos.json');
    const state = await createStateStore(stateFile);
    await loadOrCreateSecret(path.join(d, 'state', 'privacy.key')); // made by shard 0
    const shared = path.join(d, 'state', 'candidates.jsonl');
    await mkdir(path.dirname(shared), { recursive: true });
    const old = {
      messageId: '300000000000000009',
      channelId: '1',
      context: [{ role: 'user', content: 'ALICE-OLD question' }],
      reply: 'ok',
      at: 'x',
    };
    await writeFile(shared, `${JSON.stringify({ op: 'add', candidate: old })}\n`);
    const conversations = path.join(d, 'conversations');
    const transcript = new ConversationLog({ root: conversations });
    const dropped: string[] = [];
    const { privacy } = await buildPrivacy({
      stateFile,
      dataDir: d,
      paths: { datasets: path.join(d, 'datasets'), conversations },
      recordByDefault: true,
      consoleMode: false,
      state,
      surface: { send: async (channelId: string) => ({ id: '1', channelId }) } as never,
      transcript,
      datasets: { init: async () => undefined, flush: async () => undefined },
      candidates: { flush: async () => undefined, drop: async (id: string) => void dropped.push(id) } as never,
      scope: { ownsDms: false, ownsGuild: (g) => g === G1 },
      log: pino({ level: 'silent' }),
    });
    privacy.noteContribution(G1, ALICE, ['ALICE-OLD question']);
    const result = await privacy.forget(G1, ALICE);
    expect(dropped).toEqual([old.messageId]);
    expect(result.lines).toBe(0); // nothing of hers in files this process writes
    expect(await read(shared)).toContain('ALICE-OLD');
    await privacy.close();
    await transcript.close();
    expect(await read(path.join(d, 'state', 'privacy', 'contributions.jsonl'))).toBe('');
  });

  test('a shard other than 0 does not create the privacy key: it waits for it', async () => {
    const d = await tempDir();
    const file = path.join(d, 'state', 'privacy.key');
    const waiting = loadOrCreateSecret(file, { create: false, waitMs: 5000 });
    const made = await loadOrCreateSecret(file); // shard 0
    expect(await waiting).toEqual(made);
    await expect(loadOrCreateSecret(path.join(d, 'none', 'privacy.key'), { create: false, waitMs: 0 })).rejects.toThrow(/shard 0/);
  });
});
