import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { InvalidRecordError } from '../../../src/datasets/records.js';
import { DatasetStore } from '../../../src/datasets/store.js';
import type { DatasetManifest } from '../../../src/datasets/types.js';
import { chat, onCleanup, readLines, tempDir } from './helpers.js';

function activeRef(initial?: string): { get(): string | undefined; set(n: string): Promise<void>; value?: string } {
  const ref = {
    value: initial,
    get: () => ref.value,
    set: async (n: string) => {
      ref.value = n;
    },
  };
  return ref;
}

async function makeStore(root?: string, opts: Partial<ConstructorParameters<typeof DatasetStore>[0]> = {}) {
  const dir = root ?? join(await tempDir(), 'datasets');
  const store = new DatasetStore({ root: dir, active: activeRef(), now: () => new Date('2030-05-06T07:08:09.000Z'), ...opts });
  onCleanup(() => store.close());
  return { store, root: dir };
}

async function diskManifest(root: string, name: string): Promise<DatasetManifest> {
  return JSON.parse(await readFile(join(root, name, 'manifest.json'), 'utf8')) as DatasetManifest;
}

describe('DatasetStore names and datasets', () => {
  test('init creates the default dataset; create, exists, list, setActive', async () => {
    const { store, root } = await makeStore();
    expect(await store.init()).toEqual([]);
    expect(store.activeName()).toBe('default');
    expect(await store.exists('default')).toBe(true);
    const created = await store.create('memes_2');
    expect(created).toMatchObject({ name: 'memes_2', counts: { positive: 0, negative: 0, preference: 0 }, sources: {} });
    expect((await diskManifest(root, 'memes_2')).name).toBe('memes_2');
    expect((await store.list()).map((m) => m.name)).toEqual(['default', 'memes_2']);
    await store.setActive('memes_2');
    expect(store.activeName()).toBe('memes_2');
    await expect(store.create('memes_2')).rejects.toMatchObject({ identifier: 'DatasetExists' });
    await expect(store.setActive('nope')).rejects.toMatchObject({ identifier: 'DatasetNotFound' });
    await expect(store.manifest('nope')).rejects.toMatchObject({ identifier: 'DatasetNotFound' });
  });

  test.each(['../x', 'a/b', '', '.hidden', 'a b', 'x'.repeat(65), '-lead', 'é'])('the name %j is refused', async (bad) => {
    const { store, root } = await makeStore();
    const err = await store.create(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).identifier).toBe('InvalidDatasetName');
    expect(() => store.dir(bad)).toThrow(UserError);
    await expect(store.append('positive', chat('a', 'b'), 'train', bad)).rejects.toBeInstanceOf(UserError);
    expect(await store.exists(bad)).toBe(false);
    expect(await readdir(join(root, '..'))).toEqual([]);
  });

  test('an invalid active name in the state falls back to default', async () => {
    const { store } = await makeStore(undefined, { active: activeRef('../../etc') });
    expect(store.activeName()).toBe('default');
  });
});

describe('DatasetStore appends', () => {
  test('records go to the right files in the active dataset; manifest counts and sources after flush', async () => {
    const { store, root } = await makeStore();
    await store.init();
    await store.append('positive', chat('hi', 'hello!'), 'feedback');
    await store.append('negative', chat('hi', 'go away'), 'feedback');
    await store.appendMany('positive', [chat('a', 'b'), chat('c', 'd')], 'import');
    await store.appendPreference(
      { input: { messages: [{ role: 'user', content: 'q' }] }, preferred_output: [{ role: 'assistant', content: 'good' }], non_preferred_output: [{ role: 'assistant', content: 'bad' }] },
      'correction',
    );
    await store.append('positive', chat('x', 'y'), 'train', 'other');
    await store.flush();
    expect(await readLines(join(root, 'default', 'positive.jsonl'))).toEqual([chat('hi', 'hello!'), chat('a', 'b'), chat('c', 'd')]);
    expect(await readLines(join(root, 'default', 'negative.jsonl'))).toEqual([chat('hi', 'go away')]);
    expect(await readLines(join(root, 'default', 'preference.jsonl'))).toHaveLength(1);
    const m = await diskManifest(root, 'default');
    expect(m.counts).toEqual({ positive: 3, negative: 1, preference: 1 });
    expect(m.sources).toEqual({ feedback: 2, import: 2, correction: 1 });
    expect(m.updated).toBe('2030-05-06T07:08:09.000Z');
    expect((await diskManifest(root, 'other')).counts.positive).toBe(1);
    expect((await store.manifest('default')).counts).toEqual(m.counts);
  });

  test('manifest is written by the debounce timer without flush()', async () => {
    const { store, root } = await makeStore(undefined, { manifestDelayMs: 10 });
    await store.init();
    await store.append('positive', chat('a', 'b'), 'train');
    await vi.waitFor(async () => expect((await diskManifest(root, 'default')).counts.positive).toBe(1), { timeout: 5000, interval: 10 });
  });

  test('concurrent appends from many promises are all present and each line parses', async () => {
    const { store, root } = await makeStore();
    await store.init();
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(i % 2 ? 'positive' : 'negative', chat(`q${i}`, `a${i}`), 'capture')));
    await store.flush();
    const all = [...(await readLines(join(root, 'default', 'positive.jsonl'))), ...(await readLines(join(root, 'default', 'negative.jsonl')))];
    const ids = all.map((r) => (r as ReturnType<typeof chat>).messages[0]?.content).sort();
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => `q${i}`).sort());
    expect((await diskManifest(root, 'default')).counts).toMatchObject({ positive: 100, negative: 100 });
  });

  test('init() rebuilds a deleted or wrong manifest from line counts and repairs torn tails', async () => {
    const { store, root } = await makeStore();
    await store.init();
    await store.appendMany('positive', [chat('a', 'b'), chat('c', 'd'), chat('e', 'f')], 'train');
    await store.append('negative', chat('g', 'h'), 'train');
    await store.close();
    await rm(join(root, 'default', 'manifest.json'));
    await writeFile(join(root, 'default', 'negative.jsonl'), '{"messages":[{"role":"us', { flag: 'a' });
    const { store: again } = await makeStore(root);
    const reports = await again.init();
    expect(reports).toEqual([{ dataset: 'default', file: 'negative', bytesRemoved: 24 }]);
    expect((await diskManifest(root, 'default')).counts).toEqual({ positive: 3, negative: 1, preference: 0 });
    const aside = (await readdir(join(root, 'default'))).filter((n) => n.startsWith('negative.jsonl.torn-'));
    expect(await readFile(join(root, 'default', aside[0] as string), 'utf8')).toBe('{"messages":[{"role":"us');
    await writeFile(join(root, 'default', 'manifest.json'), JSON.stringify({ ...(await diskManifest(root, 'default')), counts: { positive: 99, negative: 0, preference: 0 } }));
    await writeFile(join(root, 'default', 'manifest.json.tmp-1-1'), '{"half');
    const third = new DatasetStore({ root, active: activeRef() });
    await third.init();
    await third.close();
    expect((await readdir(join(root, 'default'))).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect((await diskManifest(root, 'default')).counts).toEqual({ positive: 3, negative: 1, preference: 0 });
  });
});

describe('DatasetStore record hygiene', () => {
  const mention = '<@123456789012345678>';

  test('user mentions become names (resolver) or "@user", never stored as IDs', async () => {
    const names = { user: (id: string) => (id === '123456789012345678' ? 'Alice' : undefined) };
    const { store, root } = await makeStore(undefined, { names });
    await store.init();
    const stored = await store.append('positive', chat(`hey ${mention} and <@!99999999999999999>`, `hi <@123456789012345678>`), 'capture');
    expect(stored.messages.map((m) => m.content)).toEqual(['hey @Alice and @user', 'hi @Alice']);
    const text = await readFile(join(root, 'default', 'positive.jsonl'), 'utf8');
    expect(text).not.toMatch(/<@|\d{17}/);
    expect(text).toContain('@Alice');
  });

  test('speaker names that are mentions or bare IDs are cleaned or dropped (issue 8: an all-digit name failed !train)', async () => {
    const { store, root } = await makeStore();
    await store.init();
    const stored = await store.append('positive', chat('a', 'b', `<@${'1'.repeat(18)}>`), 'capture');
    expect(stored.messages[0]?.name).toBe('user');
    const digits = await store.append('positive', chat('a2', 'b2', '123456789012345678'), 'capture');
    expect(digits.messages[0]).toEqual({ role: 'user', content: 'a2' });
    expect((await store.append('positive', chat('a3', 'b3', '42'), 'capture')).messages[0]?.name).toBeUndefined();
    await store.flush();
    expect(await readFile(join(root, 'default', 'positive.jsonl'), 'utf8')).not.toMatch(/\d{15}/);
  });

  test('structurally wrong records are refused and nothing of the batch is written', async () => {
    const { store, root } = await makeStore();
    await store.init();
    const bad: unknown[] = [
      { messages: [] },
      { messages: [{ role: 'user', content: 'only a question' }] },
      { messages: [{ role: 'tool', content: 'x' }, { role: 'assistant', content: 'y' }] },
      { messages: [{ role: 'user', content: 5 }, { role: 'assistant', content: 'y' }] },
      { nope: true },
    ];
    for (const record of bad) {
      await expect(store.append('positive', record as never, 'import')).rejects.toBeInstanceOf(InvalidRecordError);
    }
    await expect(store.appendMany('positive', [chat('ok', 'ok'), bad[1] as never], 'import')).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(
      store.appendPreference({ input: { messages: [{ role: 'user', content: 'q' }] }, preferred_output: [{ role: 'assistant', content: 'same' }], non_preferred_output: [{ role: 'assistant', content: 'same' }] }, 'correction'),
    ).rejects.toBeInstanceOf(InvalidRecordError);
    await store.flush();
    expect(await readLines(join(root, 'default', 'positive.jsonl'))).toEqual([]);
    expect((await store.manifest('default')).counts).toEqual({ positive: 0, negative: 0, preference: 0 });
  });

  test('unknown keys are dropped and texts normalized', async () => {
    const { store } = await makeStore();
    await store.init();
    const stored = await store.append('positive', { messages: [{ role: 'user', content: 'a  \r\n\n\n\nb\u200B', extra: 1 } as never, { role: 'assistant', content: ' <:blob:123456789> ' }] }, 'import');
    expect(stored).toEqual({ messages: [{ role: 'user', content: 'a\n\nb' }, { role: 'assistant', content: ':blob:' }] });
  });
});
