import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createArchive, listArchives, timestamp } from '../../../src/archive/index.js';
import { UserError } from '../../../src/core/errors.js';
import { readZip } from './read-zip.js';

let root: string;
let datasetsDir: string;
let archivesDir: string;
const fixed = () => new Date(Date.UTC(2025, 0, 31, 9, 8, 7));

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'eos-archive-'));
  datasetsDir = path.join(root, 'datasets');
  archivesDir = path.join(root, 'archives');
  await mkdir(datasetsDir);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function dataset(name: string, files: Record<string, string | Buffer>): Promise<void> {
  const dir = path.join(datasetsDir, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

describe('createArchive', () => {
  test('zips one dataset under its own name with the same bytes', async () => {
    const positive = '{"messages":[{"role":"user","content":"héllo 👋"}]}\n'.repeat(50);
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
    await dataset('default', { 'positive.jsonl': positive, 'manifest.json': '{"name":"default"}', 'raw/blob.bin': binary });
    const result = await createArchive({ datasetsDir, archivesDir, names: ['default'], now: fixed });
    expect(path.basename(result.path)).toBe('default-20250131-090807.zip');
    expect(path.dirname(result.path)).toBe(archivesDir);
    expect(result.files).toBe(3);
    const entries = await readZip(result.path);
    expect([...entries.keys()].sort()).toEqual(
      ['default/', 'default/manifest.json', 'default/positive.jsonl', 'default/raw/', 'default/raw/blob.bin'].sort(),
    );
    expect(entries.get('default/positive.jsonl')?.toString('utf8')).toBe(positive);
    expect(entries.get('default/raw/blob.bin')?.equals(binary)).toBe(true);
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(await readdir(archivesDir)).toEqual(['default-20250131-090807.zip']); // no temp file left
  });

  test('several datasets are labelled "all"; an empty dataset folder still appears', async () => {
    await dataset('alpha', { 'positive.jsonl': 'a\n' });
    await dataset('beta', {});
    const result = await createArchive({ datasetsDir, archivesDir, names: ['alpha', 'beta', 'alpha'], now: fixed });
    expect(path.basename(result.path)).toBe('all-20250131-090807.zip');
    expect(result.files).toBe(1);
    const entries = await readZip(result.path);
    expect([...entries.keys()].sort()).toEqual(['alpha/', 'alpha/positive.jsonl', 'beta/']);
  });

  test('an archive made in the same second never replaces the earlier one', async () => {
    await dataset('default', { 'positive.jsonl': 'one\n' });
    const first = await createArchive({ datasetsDir, archivesDir, names: ['default'], now: fixed });
    await writeFile(path.join(datasetsDir, 'default', 'positive.jsonl'), 'two\n');
    const second = await createArchive({ datasetsDir, archivesDir, names: ['default'], now: fixed });
    expect(path.basename(second.path)).toBe('default-20250131-090807-2.zip');
    expect((await readZip(first.path)).get('default/positive.jsonl')?.toString()).toBe('one\n');
    expect((await readZip(second.path)).get('default/positive.jsonl')?.toString()).toBe('two\n');
  });

  test('symlinks and dot-files inside a dataset are not archived', async () => {
    const outside = path.join(root, 'secret.txt');
    await writeFile(outside, 'top secret');
    await dataset('default', { 'positive.jsonl': 'x\n', '.positive.jsonl.lock': 'lock' });
    await symlink(outside, path.join(datasetsDir, 'default', 'leak.txt'));
    const result = await createArchive({ datasetsDir, archivesDir, names: ['default'], now: fixed });
    expect([...(await readZip(result.path)).keys()].sort()).toEqual(['default/', 'default/positive.jsonl']);
  });

  test.each([['../etc'], ['a/b'], [''], ['.hidden'], ['x'.repeat(65)], ['dé']])('refuses the name %j', async (name) => {
    const err = await createArchive({ datasetsDir, archivesDir, names: [name] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).identifier).toBe('InvalidDatasetName');
    await expect(readdir(archivesDir)).rejects.toThrow(); // nothing was created
  });

  test('refuses a missing dataset, a symlinked dataset folder and an empty list', async () => {
    await mkdir(path.join(root, 'elsewhere'));
    await symlink(path.join(root, 'elsewhere'), path.join(datasetsDir, 'linked'));
    const missing = await createArchive({ datasetsDir, archivesDir, names: ['nope'] }).catch((e: unknown) => e);
    expect((missing as UserError).identifier).toBe('NoSuchDataset');
    const linked = await createArchive({ datasetsDir, archivesDir, names: ['linked'] }).catch((e: unknown) => e);
    expect((linked as UserError).identifier).toBe('NoSuchDataset');
    const none = await createArchive({ datasetsDir, archivesDir, names: [] }).catch((e: unknown) => e);
    expect((none as UserError).identifier).toBe('NoDatasets');
  });

  test('a file vanishing while zipping fails the archive and leaves no zip or temp file behind', async () => {
    await dataset('default', { 'a.bin': randomBytes(8 * 1024 * 1024), 'b.jsonl': 'x\n' });
    const pending = createArchive({ datasetsDir, archivesDir, names: ['default'], now: fixed, level: 9 });
    const failed = pending.then(
      () => 'archived',
      (err: unknown) => err,
    );
    // Once a megabyte is written the walk is long finished and b.jsonl is queued but not yet read.
    await until(async () => (await readdir(archivesDir).catch(() => [])).some((f) => f.startsWith('.default')), 5000);
    await until(async () => (await tempSize()) > 1024 * 1024, 5000);
    await unlink(path.join(datasetsDir, 'default', 'b.jsonl'));
    const outcome = await failed;
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(await readdir(archivesDir)).toEqual([]);
  });

  test('refuses a zlib level outside 0..9 before writing anything', async () => {
    await dataset('default', { 'positive.jsonl': 'x\n' });
    await expect(createArchive({ datasetsDir, archivesDir, names: ['default'], level: 42 })).rejects.toThrow(RangeError);
    await expect(readdir(archivesDir)).rejects.toThrow();
  });
});

async function tempSize(): Promise<number> {
  const temp = (await readdir(archivesDir)).find((f) => f.startsWith('.default'));
  return temp ? (await stat(path.join(archivesDir, temp)).catch(() => ({ size: 0 }))).size : 0;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('listArchives', () => {
  test('lists finished zips newest first and ignores temp and other files', async () => {
    await dataset('default', { 'positive.jsonl': 'x\n' });
    const a = await createArchive({ datasetsDir, archivesDir, names: ['default'], now: () => new Date(1e12) });
    const b = await createArchive({ datasetsDir, archivesDir, names: ['default'], now: () => new Date(2e12) });
    const { utimes } = await import('node:fs/promises');
    await utimes(a.path, new Date(1e12), new Date(1e12));
    await writeFile(path.join(archivesDir, '.default-x.zip.partial-1-ab'), 'half');
    await writeFile(path.join(archivesDir, 'notes.txt'), 'n');
    const list = await listArchives(archivesDir);
    expect(list.map((x) => x.path)).toEqual([b.path, a.path]);
    expect(list[0]?.bytes).toBe(b.bytes);
  });

  test('a missing folder lists nothing', async () => {
    expect(await listArchives(path.join(root, 'none'))).toEqual([]);
  });
});

test('timestamp is UTC YYYYMMDD-HHMMSS', () => {
  expect(timestamp(new Date(Date.UTC(2024, 11, 5, 23, 4, 5)))).toBe('20241205-230405');
});
