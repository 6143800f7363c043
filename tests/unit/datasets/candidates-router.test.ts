/**
 * CandidateRouter: which journal a candidate goes to (its server's, or the DM one), the pre-sharding shared journal
 * read as a fallback without ever being written by a process that does not own it, and what a restart or a reshard
 * finds afterwards.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CandidateStore, type Candidate } from '../../../src/datasets/candidates.js';
import { CandidateRouter } from '../../../src/datasets/candidate-router.js';
import { guildDataFiles } from '../../../src/tenancy/layout.js';
import { onCleanup, tempDir } from './helpers.js';

const G1 = '100000000000000001';
const G2 = '100000000000000002';

function candidate(id: string, reply = `reply ${id}`): Candidate {
  return {
    messageId: id,
    channelId: `c-${id}`,
    context: [{ role: 'user', content: `question ${id}`, name: 'Alice' }],
    reply,
    at: '2030-01-01T00:00:00.000Z',
  };
}

const read = (f: string) => readFile(f, 'utf8').catch(() => '');

async function world() {
  const dataDir = await tempDir();
  const dmFile = join(dataDir, 'state', 'candidates.jsonl');
  let guild: string | null = null;
  const open = (scope: { ownsDms: boolean; owns: string[] }) => {
    const r = new CandidateRouter({
      dmFile,
      guildFile: (g) => guildDataFiles(dataDir, g).candidates,
      guildsDir: join(dataDir, 'guilds'),
      ownsDms: scope.ownsDms,
      ownsGuild: (g) => scope.owns.includes(g),
      guildOf: () => guild,
    });
    onCleanup(() => r.close());
    return r;
  };
  /** What the pre-sharding bot left: one shared journal holding every server's replies. */
  const legacy = async (...cs: Candidate[]) => {
    const old = new CandidateStore({ file: dmFile });
    for (const c of cs) await old.add(c);
    await old.close();
  };
  return { dataDir, dmFile, open, legacy, inGuild: (g: string | null) => (guild = g), file: (g: string) => guildDataFiles(dataDir, g).candidates };
}

describe('CandidateRouter', () => {
  test("a server's candidate goes to guilds/<id>/candidates.jsonl, a DM's to state/candidates.jsonl; guildId on the input or the event's server", async () => {
    const w = await world();
    const r = w.open({ ownsDms: true, owns: [G1, G2] });
    await r.load();
    await r.add({ ...candidate('a'), guildId: G1 });
    await r.add({ ...candidate('b'), guildId: null });
    w.inGuild(G2); // a voice turn: no guildId on the capture, the event's server decides
    await r.add(candidate('c'));
    await r.flush();
    expect(await read(w.file(G1))).toContain('reply a');
    expect(await read(w.file(G1))).not.toMatch(/reply [bc]/);
    expect(await read(w.dmFile)).toContain('reply b');
    expect(await read(w.dmFile)).not.toMatch(/reply [ac]/);
    expect(await read(w.file(G2))).toContain('reply c');
    expect(await read(w.file(G2))).not.toContain(G2); // the guild id only names the file, it is not stored
    expect(r.fileOf(G1)).toBe(w.file(G1));
    expect(r.fileOf(null)).toBe(w.dmFile);
    // Found whatever the event's server (message IDs are unique).
    w.inGuild(null);
    expect(r.get('a')?.reply).toBe('reply a');
    expect(r.latestIn('c-c')).toBe('c');
    expect(r.size).toBe(3);
  });

  test('a restart replays only the journals of the servers this process owns', async () => {
    const w = await world();
    const a = w.open({ ownsDms: true, owns: [G1, G2] });
    await a.add({ ...candidate('a'), guildId: G1 });
    await a.add({ ...candidate('b'), guildId: G2 });
    await a.close();
    const shard1 = w.open({ ownsDms: false, owns: [G2] });
    expect(await shard1.load()).toBe(1);
    expect(shard1.get('b')?.reply).toBe('reply b');
    expect(shard1.get('a')).toBeUndefined();
  });

  test('a server this process does not own: its candidate is kept in memory only, no file written', async () => {
    const w = await world();
    const r = w.open({ ownsDms: false, owns: [G1] });
    await r.add({ ...candidate('x'), guildId: G2 });
    await r.add({ ...candidate('y'), guildId: null });
    await r.flush();
    expect(r.get('x')?.reply).toBe('reply x');
    expect(await read(w.file(G2))).toBe('');
    expect(await read(w.dmFile)).toBe('');
  });

  test('legacy: a pre-sharding reply of a server is found on its shard; a decision on it is journaled in the server file, the shared one is never written', async () => {
    const w = await world();
    await w.legacy(candidate('old1'), candidate('old2'));
    const before = await read(w.dmFile);
    const shard1 = w.open({ ownsDms: false, owns: [G1] });
    await shard1.load();
    w.inGuild(G1);
    expect(shard1.get('old1')?.reply).toBe('reply old1');
    expect(shard1.latestIn('c-old2')).toBe('old2');
    const claim = shard1.claim('old1', { kind: 'up' });
    expect(claim?.prior).toBeUndefined();
    await shard1.persist('old1');
    await shard1.close();
    expect(await read(w.dmFile)).toBe(before);
    const own = await read(w.file(G1));
    expect(own).toContain('"op":"add"');
    expect(own).toContain('"op":"decide","messageId":"old1"');
    // After a restart, and after a reshard that gives G1 to a process that also owns DMs, the verdict is there.
    for (const scope of [
      { ownsDms: false, owns: [G1] },
      { ownsDms: true, owns: [G1, G2] },
    ]) {
      const again = w.open(scope);
      await again.load();
      w.inGuild(G1);
      expect(again.verdictOf('old1')).toEqual({ kind: 'up' });
      expect(again.get('old2')?.reply).toBe('reply old2');
      await again.close();
    }
  });

  test("legacy: deciding an old reply does not make it the channel's latest (!correct without a reference), also after a restart", async () => {
    const w = await world();
    await w.legacy({ ...candidate('old'), channelId: 'chan', at: '2030-01-01T00:00:00.000Z' });
    const shard1 = w.open({ ownsDms: false, owns: [G1] });
    await shard1.load();
    w.inGuild(G1);
    await shard1.add({ ...candidate('new'), channelId: 'chan', at: '2030-01-02T00:00:00.000Z', guildId: G1 });
    shard1.claim('old', { kind: 'up' });
    await shard1.persist('old');
    expect(shard1.latestIn('chan')).toBe('new');
    await shard1.close();
    const again = w.open({ ownsDms: false, owns: [G1] });
    await again.load();
    w.inGuild(G1);
    expect(again.latestIn('chan')).toBe('new');
    expect(again.verdictOf('old')).toEqual({ kind: 'up' });
  });

  test('legacy: !forget me drops a pre-sharding reply by a tombstone in the server file, never copying its text there', async () => {
    const w = await world();
    await w.legacy(candidate('old1', 'ALICE-SECRET reply'));
    const before = await read(w.dmFile);
    const shard1 = w.open({ ownsDms: false, owns: [G1] });
    await shard1.load();
    w.inGuild(G1);
    await shard1.drop('old1');
    expect(shard1.get('old1')).toBeUndefined();
    expect(shard1.has('old1')).toBe(false);
    await shard1.close();
    expect(await read(w.dmFile)).toBe(before);
    const own = await read(w.file(G1));
    expect(own).toBe('{"op":"take","messageId":"old1"}\n');
    const again = w.open({ ownsDms: false, owns: [G1] });
    await again.load();
    w.inGuild(G1);
    expect(again.get('old1')).toBeUndefined();
    expect(again.latestIn('c-old1')).toBeUndefined();
  });

  test('legacy on the process owning DMs: a drop is also journaled in the shared file it owns', async () => {
    const w = await world();
    await w.legacy(candidate('old1'));
    const shard0 = w.open({ ownsDms: true, owns: [G1] });
    await shard0.load();
    w.inGuild(G1);
    await shard0.drop('old1');
    await shard0.close();
    expect(await read(w.dmFile)).toContain('"op":"take","messageId":"old1"');
    const again = w.open({ ownsDms: true, owns: [] });
    await again.load();
    expect(again.get('old1')).toBeUndefined();
  });

  test('a DM candidate on the process owning DMs is decided in the DM journal', async () => {
    const w = await world();
    const r = w.open({ ownsDms: true, owns: [] });
    await r.add({ ...candidate('d'), guildId: null });
    r.claim('d', { kind: 'down' });
    await r.persist('d');
    await r.flush();
    expect(await read(w.dmFile)).toContain('"op":"decide","messageId":"d"');
  });

  test('one memory bound over every store (like the single store before): the least recently added is forgotten, its journal keeps it', async () => {
    const w = await world();
    const open = (max: number) => {
      const r = new CandidateRouter({
        dmFile: w.dmFile,
        guildFile: (g) => w.file(g),
        guildsDir: join(w.dataDir, 'guilds'),
        ownsDms: true,
        ownsGuild: () => true,
        max,
      });
      onCleanup(() => r.close());
      return r;
    };
    const r = open(3);
    await r.load();
    await r.add({ ...candidate('a', 'reply a'), guildId: G1, at: '2030-01-01T00:00:01.000Z' });
    await r.add({ ...candidate('b'), guildId: G2, at: '2030-01-01T00:00:02.000Z' });
    await r.add({ ...candidate('c'), guildId: null, at: '2030-01-01T00:00:03.000Z' });
    await r.add({ ...candidate('d'), guildId: G2, at: '2030-01-01T00:00:04.000Z' });
    expect(r.size).toBe(3);
    expect(r.get('a')).toBeUndefined();
    expect(r.get('d')?.reply).toBe('reply d');
    await r.flush();
    expect(await read(w.file(G1))).toContain('reply a');
    // A restart keeps the 3 most recent over all journals.
    const again = open(3);
    expect(await again.load()).toBe(3);
    expect(again.get('a')).toBeUndefined();
    expect(again.get('b')?.reply).toBe('reply b');
  });

  test('the router overrides every public CandidateStore method (a new one would silently use the empty base store)', () => {
    const methods = Object.getOwnPropertyNames(CandidateStore.prototype).filter((m) => m !== 'constructor');
    const own = new Set(Object.getOwnPropertyNames(CandidateRouter.prototype));
    const privateOnes = new Set(['cleanVerdict', 'remember', 'mark', 'forget', 'write', 'compactIfNeeded']);
    expect(methods.filter((m) => !privateOnes.has(m) && !own.has(m))).toEqual([]);
  });
});
