import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { buildTrainingFile } from '../../src/finetune/index.js';
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

describe('buildTrainingFile', () => {
  test('sft takes positive.jsonl and skips broken lines', async () => {
    const good = [chatRecord(1), chatRecord(2)];
    const noAssistant = { messages: [{ role: 'user', content: 'hi' }] };
    const content = `${jsonl(good)}\n${JSON.stringify(noAssistant)}\n{"messages": [ torn`;
    const { dir, out } = await dataset({ 'positive.jsonl': content, 'preference.jsonl': jsonl([preferenceRecord(1)]) });
    const built = await buildTrainingFile({ datasetDir: dir, method: 'sft', outDir: out });
    expect(built).toMatchObject({ records: 2, skipped: 2 });
    expect(path.dirname(built.path)).toBe(out);
    expect(await readFile(built.path, 'utf8')).toBe(jsonl(good));
  });

  test('dpo takes preference.jsonl', async () => {
    const prefs = [preferenceRecord(1), preferenceRecord(2), preferenceRecord(3)];
    const wrongRole = { ...preferenceRecord(4), preferred_output: [{ role: 'user', content: 'x' }] };
    const { dir, out } = await dataset({
      'positive.jsonl': jsonl([chatRecord(1)]),
      'preference.jsonl': jsonl([...prefs, wrongRole]),
    });
    const built = await buildTrainingFile({ datasetDir: dir, method: 'dpo', outDir: out });
    expect(built).toMatchObject({ records: 3, skipped: 1 });
    expect((await readFile(built.path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(prefs);
  });

  test.each([
    ['a missing file', {}],
    ['an empty file', { 'positive.jsonl': '' }],
    ['only broken lines', { 'positive.jsonl': 'not json\n{"messages":[]}\n' }],
  ])('%s is an EmptyDataset UserError and leaves no file', async (_label, files) => {
    const { dir, out } = await dataset(files);
    const err = await buildTrainingFile({ datasetDir: dir, method: 'sft', outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).identifier).toBe('EmptyDataset');
    expect((err as UserError).message).toContain('positive.jsonl');
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(out)).toEqual([]);
  });

  test('two builds of the same dataset get different files', async () => {
    const { dir, out } = await dataset({ 'positive.jsonl': jsonl([chatRecord(1)]) });
    const [a, b] = await Promise.all([
      buildTrainingFile({ datasetDir: dir, method: 'sft', outDir: out }),
      buildTrainingFile({ datasetDir: dir, method: 'sft', outDir: out }),
    ]);
    expect(a.path).not.toBe(b.path);
  });
});
