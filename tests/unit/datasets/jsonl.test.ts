import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { countLines, JsonlAppender, readJsonl, repairTornTail } from '../../../src/datasets/jsonl.js';
import { readLines, tempDir } from './helpers.js';

async function collect(file: string): Promise<{ line: number; value?: unknown; error?: string }[]> {
  const out = [];
  for await (const l of readJsonl(file)) out.push(l);
  return out;
}

const fixedNow = () => new Date('2030-01-02T03:04:05.006Z');

describe('JsonlAppender', () => {
  test('append and readJsonl round trip, unicode and newlines inside strings included', async () => {
    const file = join(await tempDir(), 'sub', 'a.jsonl');
    const appender = new JsonlAppender(file);
    const records = [{ a: 1 }, { text: 'line\nbreak "quoted" 🎉 é' }, { nested: { list: [1, 2, 3] } }];
    for (const r of records) await appender.append(r);
    await appender.close();
    const lines = await collect(file);
    expect(lines.map((l) => l.value)).toEqual(records);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(await countLines(file)).toBe(3);
  });

  test('concurrent appends from many promises: all present, each line parses, none interleaved', async () => {
    const file = join(await tempDir(), 'c.jsonl');
    const appender = new JsonlAppender(file);
    const big = 'x'.repeat(20_000);
    await Promise.all(Array.from({ length: 300 }, (_, i) => appender.append({ i, pad: i % 10 === 0 ? big : '' })));
    await appender.appendMany(Array.from({ length: 50 }, (_, i) => ({ i: 300 + i })));
    await appender.close();
    const values = (await readLines(file)) as { i: number }[];
    expect(values.map((v) => v.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 350 }, (_, i) => i));
  });

  test('appendMany splits huge batches at line boundaries', async () => {
    const file = join(await tempDir(), 'm.jsonl');
    const appender = new JsonlAppender(file);
    const records = Array.from({ length: 40 }, (_, i) => ({ i, blob: 'y'.repeat(100_000) }));
    await appender.appendMany(records);
    await appender.close();
    expect(((await readLines(file)) as { i: number }[]).map((r) => r.i)).toEqual(records.map((r) => r.i));
  });

  test('opening a file with a torn tail repairs it before appending', async () => {
    const file = join(await tempDir(), 't.jsonl');
    await writeFile(file, '{"ok":1}\n{"half":');
    const repairs: number[] = [];
    const appender = new JsonlAppender(file, { onRepair: (_f, n) => repairs.push(n) });
    await appender.append({ ok: 2 });
    await appender.close();
    expect(await readLines(file)).toEqual([{ ok: 1 }, { ok: 2 }]);
    expect(repairs).toEqual([Buffer.byteLength('{"half":')]);
  });

  test('replace rewrites the file atomically, later appends follow', async () => {
    const file = join(await tempDir(), 'r.jsonl');
    const appender = new JsonlAppender(file);
    await appender.appendMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    void appender.replace([{ a: 9 }]);
    await appender.append({ a: 10 });
    await appender.close();
    expect(await readLines(file)).toEqual([{ a: 9 }, { a: 10 }]);
    expect((await readdir(join(file, '..'))).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  test('a value that is not JSON-serializable is refused before anything is written', async () => {
    const file = join(await tempDir(), 'u.jsonl');
    const appender = new JsonlAppender(file);
    await expect(appender.append(undefined)).rejects.toThrow(TypeError);
    await expect(appender.appendMany([{ ok: 1 }, () => 1])).rejects.toThrow(TypeError);
    await appender.append({ fine: true });
    await appender.close();
    expect(await readLines(file)).toEqual([{ fine: true }]);
  });
});

describe('repairTornTail', () => {
  test('cuts a half-written last line, keeps the bytes aside, reports the count', async () => {
    const dir = await tempDir();
    const file = join(dir, 'p.jsonl');
    const torn = '{"messages":[{"role":"user","content":"hal';
    await writeFile(file, `{"a":1}\n{"b":2}\n${torn}`);
    expect(await repairTornTail(file, { now: fixedNow })).toBe(Buffer.byteLength(torn));
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    const aside = (await readdir(dir)).filter((n) => n.startsWith('p.jsonl.torn-'));
    expect(aside).toEqual(['p.jsonl.torn-2030-01-02T03-04-05.006Z']);
    expect(await readFile(join(dir, aside[0] as string), 'utf8')).toBe(torn);
  });

  test('a complete but invalid last line is cut too; a second repair in the same instant gets its own file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'q.jsonl');
    await writeFile(file, '{"a":1}\n{"b":\n');
    expect(await repairTornTail(file, { now: fixedNow })).toBe(Buffer.byteLength('{"b":\n'));
    await appendFile(file, '{"c"');
    expect(await repairTornTail(file, { now: fixedNow })).toBe(4);
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n');
    expect((await readdir(dir)).filter((n) => n.includes('.torn-')).sort()).toHaveLength(2);
  });

  test('a torn line longer than the scan chunk, and a file that is one torn line', async () => {
    const dir = await tempDir();
    const file = join(dir, 'long.jsonl');
    const torn = `{"x":"${'z'.repeat(200_000)}`;
    await writeFile(file, `{"a":1}\n${torn}`);
    expect(await repairTornTail(file)).toBe(torn.length);
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n');
    await writeFile(file, '{"only":');
    expect(await repairTornTail(file)).toBe(8);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  test('clean, empty and missing files are left alone', async () => {
    const dir = await tempDir();
    const clean = join(dir, 'clean.jsonl');
    await writeFile(clean, '{"a":1}\n\n');
    expect(await repairTornTail(clean)).toBe(0);
    expect(await readFile(clean, 'utf8')).toBe('{"a":1}\n\n');
    await writeFile(join(dir, 'empty.jsonl'), '');
    expect(await repairTornTail(join(dir, 'empty.jsonl'))).toBe(0);
    expect(await repairTornTail(join(dir, 'missing.jsonl'))).toBe(0);
    expect((await readdir(dir)).filter((n) => n.includes('.torn-'))).toEqual([]);
  });
});

describe('readJsonl', () => {
  test('reports bad lines with their number, skips blank lines, missing file yields nothing', async () => {
    const dir = await tempDir();
    const file = join(dir, 'b.jsonl');
    await writeFile(file, '{"a":1}\n\nnot json\n{"b":2}\n');
    const lines = await collect(file);
    expect(lines.map((l) => [l.line, l.value ?? null, typeof l.error])).toEqual([
      [1, { a: 1 }, 'undefined'],
      [3, null, 'string'],
      [4, { b: 2 }, 'undefined'],
    ]);
    expect(await collect(join(dir, 'none.jsonl'))).toEqual([]);
    expect(await countLines(file)).toBe(3);
  });
});
