import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { buildTrainingFiles, FineTuneService, formatDatasetReport, FineTuneError, type FineTuneBackend } from '../../src/finetune/index.js';
import { chatRecord, jsonl, makeDataset, preferenceRecord } from './helpers.js';

const cleanup: string[] = [];
afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataset(files: Record<string, string>): Promise<{ dir: string; out: string }> {
  const dir = await makeDataset(files);
  const root = path.dirname(path.dirname(dir));
  cleanup.push(root);
  return { dir, out: path.join(root, 'out') };
}

const base = { validationSplit: 0, contextTokens: 4096, format: 'openai' as const };
const lines = async (f: string | null) =>
  f
    ? (await readFile(f, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown)
    : [];

describe('buildTrainingFiles', () => {
  test('sft takes positive.jsonl, skips invalid lines, leaves out duplicates and over-long examples, counts tokens', async () => {
    const good = [chatRecord(1), chatRecord(2)];
    const long = {
      messages: [
        { role: 'user', content: 'word '.repeat(5000) },
        { role: 'assistant', content: 'ok' },
      ],
    };
    const noAssistant = { messages: [{ role: 'user', content: 'hi' }] };
    const content = `${jsonl([...good, chatRecord(1), long])}${JSON.stringify(noAssistant)}\n{"messages": [ torn`;
    const { dir, out } = await dataset({ 'positive.jsonl': content });
    const r = await buildTrainingFiles({ datasetDir: dir, method: 'sft', outDir: out, ...base });
    expect(r).toMatchObject({ examples: 4, invalid: 2, duplicates: 1, overContext: 1, train: 2, validationCount: 0, validation: null });
    expect(r.longestTokens).toBeGreaterThan(4096);
    expect(r.trainingTokens).toBeGreaterThan(10);
    expect(r.trainingTokens).toBeLessThan(100);
    expect(await lines(r.training)).toEqual(good);
  });

  test('the validation split is stable and disjoint from training', async () => {
    const recs = Array.from({ length: 200 }, (_, i) => chatRecord(i));
    const { dir, out } = await dataset({ 'positive.jsonl': jsonl(recs) });
    const a = await buildTrainingFiles({ datasetDir: dir, method: 'sft', outDir: out, ...base, validationSplit: 0.1 });
    const b = await buildTrainingFiles({ datasetDir: dir, method: 'sft', outDir: out, ...base, validationSplit: 0.1 });
    expect(a.train + a.validationCount).toBe(200);
    expect(a.validationCount).toBeGreaterThan(8);
    expect(a.validationCount).toBeLessThan(35);
    expect(await lines(a.validation)).toEqual(await lines(b.validation));
    const train = new Set((await lines(a.training)).map((x) => JSON.stringify(x)));
    expect((await lines(a.validation)).some((x) => train.has(JSON.stringify(x)))).toBe(false);
  });

  test('dpo takes preference.jsonl; the local trainer gets TRL conversational preference records', async () => {
    const { dir, out } = await dataset({ 'preference.jsonl': jsonl([preferenceRecord(1), preferenceRecord(2)]) });
    const r = await buildTrainingFiles({ datasetDir: dir, method: 'dpo', outDir: out, ...base, format: 'trl' });
    expect(await lines(r.training)).toContainEqual({
      prompt: [{ role: 'user', content: 'prompt 1' }],
      chosen: [{ role: 'assistant', content: 'good 1' }],
      rejected: [{ role: 'assistant', content: 'bad 1' }],
    });
  });

  test('a missing or empty dataset leaves no file and cannot start', async () => {
    const { dir, out } = await dataset({});
    const r = await buildTrainingFiles({ datasetDir: dir, method: 'sft', outDir: out, ...base });
    expect(r).toMatchObject({ training: null, validation: null, examples: 0 });
    expect(await readdir(out)).toEqual([]);
  });
});

describe('the dataset report', () => {
  const backend = (paid: boolean, kind: 'openai' | 'local' = 'openai'): FineTuneBackend => ({
    info: { kind, label: kind, paid, minExamples: 10, contextTokens: 4096, fileFormat: 'openai', switchOnSuccess: false },
    create: () => Promise.reject(new Error('not called')),
    status: () => Promise.reject(new Error('x')),
    cancel: () => Promise.reject(new Error('x')),
    events: async () => [],
    metrics: async () => [],
  });

  test('shows examples, tokens, cost per epoch, duplicates, over-context, the split and the minimum', async () => {
    const { dir, out } = await dataset({
      'positive.jsonl': jsonl([...Array.from({ length: 12 }, (_, i) => chatRecord(i)), chatRecord(3)]),
    });
    const s = new FineTuneService({
      backend: backend(true),
      baseModel: 'gpt-4.1-mini-2025-04-14',
      epochs: 3,
      validationSplit: 0,
      pricePerMillionTokens: null,
      minExamples: null,
      contextTokens: null,
      workDir: out,
    });
    const { report } = await s.prepare(dir, 'sft');
    expect(report).toMatchObject({ examples: 13, duplicates: 1, train: 12, enough: true, pricePerMillion: 5 });
    expect(report.costPerEpoch).toBeCloseTo((report.trainingTokens / 1e6) * 5, 10);
    const text = formatDatasetReport(report);
    expect(text).toContain('13 usable');
    expect(text).toContain('duplicates left out: 1');
    expect(text).toContain('split: 12 training / 0 validation');
    expect(text).toMatch(/training tokens per epoch: ~\d+/);
    expect(text).toMatch(/estimated cost: .* per epoch/);
    expect(text).toContain('minimum for this backend: 10 ✓');
  });

  test('too few examples: the report says so and start refuses before spending', async () => {
    const { dir, out } = await dataset({ 'positive.jsonl': jsonl([chatRecord(1), chatRecord(2)]) });
    const s = new FineTuneService({
      backend: backend(true),
      baseModel: 'gpt-4.1-2025-04-14',
      epochs: 1,
      validationSplit: 0,
      pricePerMillionTokens: null,
      minExamples: null,
      contextTokens: null,
      workDir: out,
    });
    const prepared = await s.prepare(dir, 'sft');
    expect(formatDatasetReport(prepared.report)).toContain('**not enough data**: openai needs at least 10 training examples, this has 2.');
    await expect(s.start(prepared)).rejects.toThrow(/Not enough data/);
  });

  test('retired or missing base models are refused with the setting to change', async () => {
    const { dir, out } = await dataset({ 'positive.jsonl': jsonl([chatRecord(1)]) });
    const make = (baseModel: string, kind: 'openai' | 'local' = 'openai') =>
      new FineTuneService({
        backend: backend(kind === 'openai', kind),
        baseModel,
        epochs: 1,
        validationSplit: 0,
        pricePerMillionTokens: null,
        minExamples: null,
        contextTokens: null,
        workDir: out,
      });
    for (const [model, kind] of [
      ['gpt-4o-mini-2024-07-18', 'openai'],
      ['whisper-1', 'openai'],
      ['', 'local'],
    ] as const) {
      const err = await make(model, kind)
        .prepare(dir, 'sft')
        .catch((e: unknown) => e);
      expect(err, model).toBeInstanceOf(FineTuneError);
      expect((err as FineTuneError).message, model).toContain('training.baseModel');
    }
    const unpriced = await make('ft-someone-else').prepare(dir, 'sft');
    expect(formatDatasetReport(unpriced.report)).toContain('no published price for this model');
  });
});
