import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { tempDir } from '../datasets/helpers.js';
import { describe, expect, test } from 'vitest';
import { ConversationLog } from '../../../src/datasets/conversation-log.js';
import { ContributionIndex } from '../../../src/privacy/contributions.js';
import { keyedHasher, loadOrCreateSecret } from '../../../src/privacy/secret.js';
import { buildPrivacy } from '../../../src/privacy/wiring.js';
import { createStateStore } from '../../../src/state/store.js';

const G = '100000000000000001';
const userId = (i: number) => `2000000000000${String(i).padStart(5, '0')}`;

describe('contribution index cost per observed message', () => {
  test('N observed messages: one folder creation, one open, a bounded user-key cache, one keyed hash per user', async () => {
    const d = await tempDir();
    const file = path.join(d, 'state', 'privacy', 'contributions.jsonl');
    const counts = { mkdir: 0, open: 0, contributorHashes: 0 };
    const fs = {
      mkdir: ((...a: Parameters<typeof mkdir>) => (counts.mkdir++, mkdir(...a))) as typeof mkdir,
      open: ((...a: Parameters<typeof open>) => (counts.open++, open(...a))) as typeof open,
    };
    const keyed = keyedHasher(Buffer.alloc(32, 5));
    const hash = (...parts: string[]) => {
      if (parts[0] === 'contributor') counts.contributorHashes++;
      return keyed(...parts);
    };
    const idx = new ContributionIndex(file, hash, { userKeyCache: 64, writer: { fs } });
    const N = 600;
    for (let i = 0; i < N; i++) {
      await idx.note(G, userId(i % 40), [`message number ${i}`, `message  number ${i} `]);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r)); // let batches be written meanwhile
    }
    await idx.flush();
    expect(counts.mkdir).toBe(1);
    expect(counts.open).toBe(1);
    expect(idx.openFiles()).toBe(1);
    expect(counts.contributorHashes).toBe(40); // 40 users, each hashed once
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(N); // raw and whitespace variants normalize alike: one line per message
    // The cache is bounded: more users than it holds evict the least recently used.
    for (let i = 0; i < 200; i++) idx.userKey(G, userId(1000 + i));
    expect(idx.cachedUserKeys()).toBe(64);
    expect(idx.userKey(G, userId(1000))).toBe(keyed('contributor', G, userId(1000)));
    await idx.close();
    expect(idx.openFiles()).toBe(0);
    // A reload finds every entry.
    const again = new ContributionIndex(file, keyed);
    await again.load();
    expect(again.textsOf(G, userId(7)).size).toBe(N / 40);
  });

  test('forget right after buffered writes (index and conversation log) still finds and removes everything', async () => {
    const d = await tempDir();
    const stateFile = path.join(d, 'state', 'eos.json');
    const state = await createStateStore(stateFile);
    const conversations = path.join(d, 'conversations');
    // A long flush interval: the log lines below are still in memory when forget starts.
    const transcript = new ConversationLog({ root: conversations, flushMs: 60_000 });
    const surface = { send: async (channelId: string) => ({ id: '1', channelId }) } as never;
    const { privacy } = await buildPrivacy({
      stateFile,
      dataDir: d,
      paths: { datasets: path.join(d, 'datasets'), conversations },
      recordByDefault: true,
      consoleMode: false,
      state,
      surface,
      transcript,
      datasets: { init: async () => undefined, flush: async () => undefined },
      candidates: { flush: async () => undefined },
      log: pino({ level: 'silent' }),
    });
    const alice = userId(1);
    const bob = userId(2);
    const timestamp = new Date().toISOString();
    for (let i = 0; i < 20; i++) {
      const [who, content] = i % 2 ? [bob, `bob says thing ${i}`] : [alice, `alice says thing ${i}`];
      await transcript.append({
        guildId: G,
        channelId: '300000000000000001',
        role: 'user',
        content,
        timestamp,
        speaker: who === alice ? 'Alice' : 'Bob',
      });
      privacy.noteContribution(G, who, [content]);
    }
    const result = await privacy.forget(G, alice);
    expect(result.lines).toBe(10);
    const log = await readFile(transcript.fileFor(G, '300000000000000001'), 'utf8');
    expect(log).not.toContain('alice says');
    expect(log.trim().split('\n')).toHaveLength(10);
    await privacy.close();
    await transcript.close();
    // The rewritten index of the server (read back as at a restart) holds Bob's entries and none of Alice's.
    const again = new ContributionIndex(
      path.join(d, 'guilds', G, 'privacy', 'contributions.jsonl'),
      keyedHasher(await loadOrCreateSecret(path.join(d, 'state', 'privacy.key'))),
    );
    await again.load();
    expect(again.textsOf(G, alice).size).toBe(0);
    expect(again.textsOf(G, bob).size).toBe(10);
  });
});
