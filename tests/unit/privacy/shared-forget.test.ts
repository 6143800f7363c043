/**
 * `!forget me` on a shard other than 0 and the pre-sharding shared files: shard 0's answer (owner.privacy.forgetShared)
 * removes the forgotten replies and index entries from state/candidates.jsonl and state/privacy/contributions.jsonl
 * (other lines kept, later appends still land in the files); the tombstones a shard left while shard 0 did not answer
 * are applied at shard 0's start; the forgetting shard's side reports removed or pending.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, test, vi } from 'vitest';
import type { Candidate } from '../../../src/datasets/candidates.js';
import { CandidateRouter } from '../../../src/datasets/candidate-router.js';
import { ContributionIndex } from '../../../src/privacy/contributions.js';
import { PrivacyService } from '../../../src/privacy/consent.js';
import {
  applyPendingSharedForgets,
  applySharedForget,
  askShardZero,
  FORGET_SHARED_OP,
  parseSharedForget,
  pendingSharedForgets,
  type SharedFiles,
} from '../../../src/privacy/shared-forget.js';
import { keyedHasher } from '../../../src/privacy/secret.js';
import { guildDataFiles } from '../../../src/tenancy/layout.js';
import { onCleanup, tempDir } from '../datasets/helpers.js';

const G = '100000000000000001';
const log = pino({ level: 'silent' });
const hash = keyedHasher(Buffer.alloc(32, 7));
const read = (f: string) => readFile(f, 'utf8').catch(() => '');

function candidate(id: string, words: string): Candidate {
  return {
    messageId: id,
    channelId: 'c1',
    context: [{ role: 'user', content: words }],
    reply: `reply ${id}`,
    at: '2030-01-01T00:00:00.000Z',
  };
}

/** A data folder as an upgrade leaves it (Alice's and Bob's replies and index entries in the shared files), seen by shard 0. */
async function shardZero() {
  const dataDir = await tempDir();
  const dmFile = join(dataDir, 'state', 'candidates.jsonl');
  const indexFile = join(dataDir, 'state', 'privacy', 'contributions.jsonl');
  const guild = guildDataFiles(dataDir, G);
  await mkdir(dirname(indexFile), { recursive: true });
  await writeFile(
    dmFile,
    [
      { op: 'add', candidate: candidate('111', 'ALICE-WORDS') },
      { op: 'add', candidate: candidate('222', 'BOB-WORDS') },
      { op: 'decide', messageId: '111', verdict: { kind: 'corrected', text: 'ALICE-CORRECTION' } },
    ]
      .map((l) => `${JSON.stringify(l)}\n`)
      .join(''),
  );
  const layout = {
    dmFile: indexFile,
    guildFile: (g: string) => guildDataFiles(dataDir, g).contributions,
    guildsDir: join(dataDir, 'guilds'),
  };
  const before = new ContributionIndex({ ...layout, ownsDms: true }, hash);
  await before.note(G, 'alice-id', ['ALICE-WORDS']);
  await before.note(G, 'bob-id', ['BOB-WORDS']);
  // The pre-sharding index held every server's lines in the shared file.
  const bobKey = before.userKey(G, 'bob-id');
  const aliceKey = before.userKey(G, 'alice-id');
  await before.close();
  await appendFile(indexFile, await read(guild.contributions));
  await writeFile(guild.contributions, '');
  const router = new CandidateRouter({
    dmFile,
    guildFile: (g) => guildDataFiles(dataDir, g).candidates,
    guildsDir: join(dataDir, 'guilds'),
    ownsDms: true,
    ownsGuild: () => false,
  });
  const index = new ContributionIndex({ ...layout, ownsDms: true, ownsGuild: () => false }, hash);
  onCleanup(() => router.close());
  onCleanup(() => index.close());
  await router.load();
  await index.load();
  const files: SharedFiles = { purgeCandidates: (ids) => router.purgeShared(ids), forgetIndexUsers: (keys) => index.forgetShared(keys) };
  return { dataDir, dmFile, indexFile, guild, router, index, files, aliceKey, bobKey };
}

describe('shared pre-sharding files after !forget me on another shard', () => {
  test("shard 0's answer removes the forgotten reply's lines and the user's index entries, keeps the rest, and later appends still land", async () => {
    const z = await shardZero();
    expect(z.index.textsOf(G, 'alice-id').size).toBe(1);
    const r = await applySharedForget(z.files, parseSharedForget({ guildId: G, messageIds: ['111'], userKeys: [z.aliceKey] }), log);
    expect(r).toEqual({ candidateLines: 2, indexLines: 1 });
    const shared = await read(z.dmFile);
    expect(shared).not.toContain('ALICE');
    expect(shared).toContain('BOB-WORDS');
    expect(z.router.has('111')).toBe(false);
    expect(z.router.has('222')).toBe(true);
    const index = await read(z.indexFile);
    expect(index).not.toContain(z.aliceKey);
    expect(index).toContain(z.bobKey);
    expect(z.index.textsOf(G, 'alice-id').size).toBe(0);
    // Both files are still written after the rewrite (the appenders reopen or keep the same file).
    await z.router.add({ ...candidate('333', 'A DM question'), guildId: null });
    await z.index.note(null, 'carol-id', ['CAROL-DM-WORDS']);
    await z.router.flush();
    await z.index.flush();
    expect(await read(z.dmFile)).toContain('A DM question');
    expect((await read(z.indexFile)).split('\n').filter(Boolean)).toHaveLength(2); // Bob's and Carol's
    // Asked again (a retry): nothing left to remove, files unchanged.
    expect(await applySharedForget(z.files, { guildId: G, messageIds: ['111'], userKeys: [z.aliceKey] }, log)).toEqual({
      candidateLines: 0,
      indexLines: 0,
    });
  });

  test('tombstones left while shard 0 did not answer are applied at its next start (and only once)', async () => {
    const z = await shardZero();
    // What the forgetting shard wrote in the server's own files.
    await mkdir(dirname(z.guild.candidates), { recursive: true });
    await writeFile(z.guild.candidates, `${JSON.stringify({ op: 'take', messageId: '111' })}\n{"op":"take","mess`);
    await writeFile(z.guild.contributions, `${JSON.stringify({ u: z.aliceKey, forgot: 1 })}\n`);
    expect(await pendingSharedForgets(z.dataDir)).toEqual({ messageIds: new Set(['111']), userKeys: new Set([z.aliceKey]) });
    expect(await applyPendingSharedForgets(z.dataDir, z.files, log)).toEqual({ candidateLines: 2, indexLines: 1 });
    expect(await read(z.dmFile)).not.toContain('ALICE');
    expect(await read(z.dmFile)).toContain('BOB-WORDS');
    expect(await read(z.indexFile)).not.toContain(z.aliceKey);
    expect(await read(z.indexFile)).toContain(z.bobKey);
    expect(await applyPendingSharedForgets(z.dataDir, z.files, log)).toEqual({ candidateLines: 0, indexLines: 0 });
  });

  test('a request is checked: a guild id, lists of short strings', () => {
    expect(() => parseSharedForget(null)).toThrow(/guildId/);
    expect(() => parseSharedForget({ guildId: 'dm', messageIds: [], userKeys: [] })).toThrow(/guildId/);
    expect(() => parseSharedForget({ guildId: G, messageIds: '111', userKeys: [] })).toThrow(/messageIds/);
    expect(() => parseSharedForget({ guildId: G, messageIds: [], userKeys: ['x'.repeat(101)] })).toThrow(/userKeys/);
    expect(parseSharedForget({ guildId: G, messageIds: ['1'], userKeys: ['k'], extra: 1 })).toEqual({
      guildId: G,
      messageIds: ['1'],
      userKeys: ['k'],
    });
  });

  test("the forgetting shard: shard 0's answer means removed; none, an error or no shard 0 on this host means pending", async () => {
    const asked: unknown[] = [];
    const control = (answers: () => Promise<unknown>) => ({
      ask: (op: string, args: unknown) => {
        asked.push({ op, args });
        return answers() as never;
      },
    });
    const req = { guildId: G, messageIds: ['111'], userKeys: ['k'] };
    expect(
      await askShardZero(
        control(async () => [
          { shard: 0, ok: true, result: {} },
          { shard: 1, ok: false, error: 'unknown request' },
        ]),
        log,
      )(req),
    ).toBe('removed');
    expect(asked[0]).toEqual({ op: FORGET_SHARED_OP, args: req });
    expect(
      await askShardZero(
        control(async () => [{ shard: 0, ok: false, error: 'timed out' }]),
        log,
      )(req),
    ).toBe('pending');
    expect(
      await askShardZero(
        control(async () => [{ shard: 1, ok: true, result: {} }]),
        log,
      )(req),
    ).toBe('pending');
    expect(
      await askShardZero(
        control(() => Promise.reject(new Error('no IPC channel'))),
        log,
      )(req),
    ).toBe('pending');
  });

  test('!forget me on shard 1: its index and journal hide the old entries, and shard 0 is asked with message IDs and the keyed user hash only', async () => {
    const z = await shardZero();
    const layout = {
      dmFile: z.indexFile,
      guildFile: (g: string) => guildDataFiles(z.dataDir, g).contributions,
      guildsDir: join(z.dataDir, 'guilds'),
    };
    const index = new ContributionIndex({ ...layout, ownsDms: false, ownsGuild: (g) => g === G }, hash);
    onCleanup(() => index.close());
    await index.load();
    const asked: unknown[] = [];
    const dropped: string[] = [];
    const service = (forgetShared?: (req: unknown) => Promise<'removed' | 'pending'>) =>
      new PrivacyService({
        state: undefined as never,
        surface: undefined as never,
        recordByDefault: true,
        consoleMode: false,
        index,
        paths: { datasets: join(z.dataDir, 'datasets'), conversations: join(z.dataDir, 'conversations'), candidates: z.dmFile },
        candidateFiles: () => ({ write: [z.guild.candidates], read: [z.dmFile] }),
        reconcileDatasets: async () => undefined,
        flushAll: async () => undefined,
        dropCandidate: async (id) => void dropped.push(id),
        ...(forgetShared ? { forgetShared } : {}),
        log,
      });
    const sharedBefore = await read(z.dmFile);
    const r = await service(async (req) => (asked.push(req), 'pending')).forget(G, 'alice-id');
    expect(r.shared).toBe('pending');
    expect(asked).toEqual([{ guildId: G, messageIds: ['111'], userKeys: [z.aliceKey] }]);
    expect(JSON.stringify(asked)).not.toContain('alice-id');
    expect(dropped).toContain('111');
    expect(await read(z.dmFile)).toBe(sharedBefore); // shard 1 never writes the shared journal
    expect(await read(z.guild.contributions)).toContain(JSON.stringify({ u: z.aliceKey, forgot: 1 }));
    // A removal from the shared files waits for a running !forget me (both rewrite the same files).
    const events: string[] = [];
    let answer: (v: 'removed') => void = () => undefined;
    const slow = service(() => new Promise((res) => (events.push('asking'), (answer = res))));
    await index.note(G, 'dave-id', ['DAVE-WORDS']);
    await appendFile(z.dmFile, `${JSON.stringify({ op: 'add', candidate: candidate('444', 'DAVE-WORDS') })}\n`);
    const forgetting = slow.forget(G, 'dave-id').then(() => events.push('forgot'));
    const purge = slow.exclusive(async () => void events.push('purge'));
    await vi.waitFor(() => expect(events).toContain('asking')); // the forget is waiting for shard 0's answer
    expect(events).toEqual(['asking']);
    answer('removed');
    await Promise.all([forgetting, purge]);
    expect(events).toEqual(['asking', 'forgot', 'purge']);
    // Without an asker (the process writing the shared files itself, or unsharded) nothing is asked.
    const unsharded = await service().forget(G, 'bob-id');
    expect(unsharded.shared).toBeUndefined();
    expect(asked).toHaveLength(1);
  });
});
