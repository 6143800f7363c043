import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ResultStore } from '../../../src/evaluation/store.js';
import type { SuiteResult } from '../../../src/evaluation/types.js';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'eos-eval-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function result(startedAt: string, passed: number): SuiteResult {
  return {
    passed,
    total: 3,
    latency: { p50: 1, p95: 2, mean: 1.5, max: 2 },
    startedAt,
    finishedAt: startedAt,
    model: 'fake',
    cases: [],
  };
}

describe('ResultStore', () => {
  test('saves JSON files named by start time and lists newest first', async () => {
    const dir = path.join(root, 'evaluations');
    const store = new ResultStore({ dir });
    const f1 = await store.save(result('2025-03-01T10:00:00.000Z', 1));
    const f2 = await store.save(result('2025-03-02T09:30:15.250Z', 2));
    const f3 = await store.save(result('2025-02-28T23:59:59.999Z', 3));
    expect(path.basename(f2)).toBe('2025-03-02T09-30-15-250Z.json');
    expect(JSON.parse(await readFile(f1, 'utf8'))).toEqual(result('2025-03-01T10:00:00.000Z', 1));
    const listed = await store.list(10);
    expect(listed.map((s) => s.result.passed)).toEqual([2, 1, 3]);
    expect(listed.map((s) => s.file)).toEqual([f2, f1, f3]);
    expect((await store.list(2)).map((s) => s.result.passed)).toEqual([2, 1]);
    expect((await store.latest())?.result.passed).toBe(2);
  });

  test('two runs in the same millisecond get distinct files, the later listed first', async () => {
    const store = new ResultStore({ dir: root });
    const at = '2025-03-01T10:00:00.000Z';
    const files = [];
    for (let i = 0; i < 12; i++) files.push(await store.save(result(at, i)));
    expect(new Set(files).size).toBe(12);
    expect(path.basename(files[11] ?? '')).toBe('2025-03-01T10-00-00-000Z-11.json');
    expect((await store.list(3)).map((s) => s.result.passed)).toEqual([11, 10, 9]);
    expect((await readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('an empty or missing folder lists nothing; broken and foreign files are skipped', async () => {
    const store = new ResultStore({ dir: path.join(root, 'missing') });
    expect(await store.list()).toEqual([]);
    expect(await store.latest()).toBeNull();
    const real = new ResultStore({ dir: root });
    await real.save(result('2025-01-01T00:00:00.000Z', 1));
    await writeFile(path.join(root, '2025-06-01T00-00-00-000Z.json'), '{"broken', 'utf8');
    await writeFile(path.join(root, '2025-07-01T00-00-00-000Z.json'), '{"hello": 1}', 'utf8');
    await writeFile(path.join(root, 'notes.json'), JSON.stringify(result('2030-01-01T00:00:00.000Z', 9)), 'utf8');
    expect((await real.list()).map((s) => s.result.passed)).toEqual([1]);
    expect((await real.latest())?.result.passed).toBe(1);
  });
});
