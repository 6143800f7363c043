/** DatasetStore.commit: validate all first, write all or nothing (journal), skip duplicates (content hash). */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { JOURNAL_FILE } from '../../../src/datasets/commit-journal.js';
import { InvalidRecordError } from '../../../src/datasets/records.js';
import { DatasetStore, type CommitEntry } from '../../../src/datasets/store.js';
import { checkChatRecord } from '../../../src/datasets/validate.js';
import { chat, onCleanup, readLines, tempDir } from './helpers.js';

function activeRef() {
  let value: string | undefined;
  return { get: () => value, set: async (n: string) => void (value = n) };
}

async function makeStore(root?: string) {
  const dir = root ?? join(await tempDir(), 'datasets');
  const store = new DatasetStore({ root: dir, active: activeRef(), manifestDelayMs: 10 });
  await store.init();
  onCleanup(() => store.close());
  return { store, root: dir };
}

const pref = (q: string, good: string, bad: string) => ({ input: { messages: [{ role: 'user' as const, content: q }] }, preferred_output: [{ role: 'assistant' as const, content: good }], non_preferred_output: [{ role: 'assistant' as const, content: bad }] });
const correction = (q: string): CommitEntry[] => [
  { kind: 'negative', record: chat(q, 'bad') },
  { kind: 'positive', record: chat(q, 'good') },
  { kind: 'preference', record: pref(q, 'good', 'bad') },
];

describe('DatasetStore.commit', () => {
  test('writes negative, positive and preference together; the manifest agrees', async () => {
    const { store, root } = await makeStore();
    const result = await store.commit(correction('q1'), 'correction');
    expect(result.written).toEqual({ positive: 1, negative: 1, preference: 1 });
    await store.flush();
    for (const f of ['positive', 'negative', 'preference']) expect(await readLines(join(root, 'default', `${f}.jsonl`))).toHaveLength(1);
    const manifest = JSON.parse(await readFile(join(root, 'default', 'manifest.json'), 'utf8'));
    expect(manifest.counts).toEqual({ positive: 1, negative: 1, preference: 1 });
    expect(await readdir(join(root, 'default'))).not.toContain(JOURNAL_FILE);
  });

  test('one invalid entry (issue 8: a correction that failed after writing the negative) writes nothing and names the entry', async () => {
    const { store, root } = await makeStore();
    const entries = correction('q2');
    entries[2] = { kind: 'preference', record: pref('q2', 'same', 'same') };
    const err = await store.commit(entries, 'correction').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRecordError);
    expect((err as InvalidRecordError).index).toBe(2);
    expect((err as Error).message).toMatch(/record 3: .*identical/);
    for (const f of ['positive', 'negative', 'preference']) expect(await readLines(join(root, 'default', `${f}.jsonl`))).toEqual([]);
  });

  test('a record ending with a user turn, or training nothing, is refused', async () => {
    const { store } = await makeStore();
    await expect(store.append('positive', { messages: [{ role: 'assistant', content: 'a' }, { role: 'user', content: 'q' }] }, 'train')).rejects.toThrow(/last message is not an assistant/);
    await expect(store.append('positive', { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', weight: 0 }] }, 'train')).rejects.toThrow(/weight 0/);
  });

  test('weight 0 context turns are kept; weight on a user turn is dropped by sanitizing', async () => {
    const { store } = await makeStore();
    const stored = await store.append('positive', { messages: [
      { role: 'user', content: 'q1' }, { role: 'assistant', content: 'old', weight: 0 }, { role: 'user', content: 'q2', weight: 1 } as never, { role: 'assistant', content: 'new', weight: 1 },
    ] }, 'feedback');
    expect(stored.messages).toEqual([{ role: 'user', content: 'q1' }, { role: 'assistant', content: 'old', weight: 0 }, { role: 'user', content: 'q2' }, { role: 'assistant', content: 'new', weight: 1 }]);
    expect(checkChatRecord(stored)).toEqual([]);
  });

  test('re-sending the same records adds nothing twice; the index is rebuilt when missing', async () => {
    const { store, root } = await makeStore();
    const batch = Array.from({ length: 5 }, (_, i) => ({ kind: 'positive' as const, record: chat(`q${i}`, `a${i}`) }));
    expect((await store.commit(batch, 'train')).written.positive).toBe(5);
    const again = await store.commit([...batch, { kind: 'positive', record: chat('new', 'one') }, { kind: 'positive', record: chat('new', 'one') }], 'train');
    expect(again.written.positive).toBe(1);
    expect(again.duplicates).toBe(6);
    await store.close();
    await writeFile(join(root, 'default', '.hashes'), '');
    const { store: second } = await makeStore(root);
    expect((await second.commit(batch, 'train')).written.positive).toBe(0);
    expect(await readLines(join(root, 'default', 'positive.jsonl'))).toHaveLength(6);
  });

  test('a crash mid-commit (journal left behind) is rolled back at the next start; counts agree', async () => {
    const { store, root } = await makeStore();
    await store.commit([{ kind: 'positive', record: chat('kept', 'yes') }], 'train');
    await store.close();
    const dir = join(root, 'default');
    const size = (await readFile(join(dir, 'positive.jsonl'))).length;
    const hashes = (await readFile(join(dir, '.hashes'))).length;
    await writeFile(join(dir, JOURNAL_FILE), JSON.stringify({ sizes: { 'positive.jsonl': size, 'negative.jsonl': 0, '.hashes': hashes } }));
    await writeFile(join(dir, 'positive.jsonl'), `${JSON.stringify(chat('half', 'of a batch'))}\n`, { flag: 'a' });
    await writeFile(join(dir, 'negative.jsonl'), `${JSON.stringify(chat('other', 'file'))}\n`);
    const { store: again } = await makeStore(root);
    expect(await readLines(join(dir, 'positive.jsonl'))).toEqual([chat('kept', 'yes')]);
    expect(await readLines(join(dir, 'negative.jsonl'))).toEqual([]);
    expect((await again.manifest('default')).counts).toEqual({ positive: 1, negative: 0, preference: 0 });
    expect(await readdir(dir)).not.toContain(JOURNAL_FILE);
    expect((await again.commit([{ kind: 'positive', record: chat('half', 'of a batch') }], 'train')).written.positive).toBe(1);
  });

  test('a write error mid-batch rolls back what was written of it', async () => {
    const { store, root } = await makeStore();
    await store.commit([{ kind: 'positive', record: chat('before', 'x') }], 'train');
    const appender = (store as unknown as { writer: { appender(n: string, f: string): { appendText: (l: string[]) => Promise<void> } } }).writer.appender('default', '.hashes');
    appender.appendText = async () => { throw new Error('disk full'); };
    await expect(store.commit(correction('q9'), 'correction')).rejects.toThrow('disk full');
    const dir = join(root, 'default');
    expect(await readLines(join(dir, 'positive.jsonl'))).toEqual([chat('before', 'x')]);
    expect(await readLines(join(dir, 'negative.jsonl'))).toEqual([]);
    expect(await readdir(dir)).not.toContain(JOURNAL_FILE);
  });

  test('after close() new commits are refused with a clear UserError; queued ones finish', async () => {
    const { store, root } = await makeStore();
    const big = Array.from({ length: 3000 }, (_, i) => ({ kind: 'positive' as const, record: chat(`q${i}`, `a${i}`) }));
    const running = store.commit(big, 'train');
    await store.close();
    await running;
    expect(await readLines(join(root, 'default', 'positive.jsonl'))).toHaveLength(3000);
    const err = await store.commit([{ kind: 'positive', record: chat('late', 'x') }], 'train').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/shutting down/);
  });
});

describe('dataset names', () => {
  test('names are case-insensitive: Mixed, mixed and MIXED are one dataset', async () => {
    const { store, root } = await makeStore();
    await store.ensure('Mixed');
    await store.ensure('mixed');
    await store.commit([{ kind: 'positive', record: chat('a', 'b') }], 'train', { dataset: 'MIXED' });
    expect((await readdir(root)).filter((n) => n.toLowerCase() === 'mixed')).toEqual(['Mixed']);
    await expect(store.create('MIXED')).rejects.toThrow(/already exists/);
    await store.setActive('mIxEd');
    expect(store.activeName()).toBe('Mixed');
  });

  test('reserved names are refused clearly', async () => {
    const { store } = await makeStore();
    for (const name of ['all', 'ALL', 'CON', 'nul', 'Com1', 'lpt9', 'aux', 'prn']) {
      const err = await store.ensure(name).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(UserError);
      expect((err as UserError).message, name).toMatch(/reserved/);
    }
    await expect(store.ensure('console')).resolves.toBeTruthy();
  });
});
