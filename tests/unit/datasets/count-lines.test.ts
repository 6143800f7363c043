/** countLines (manifest checks at every start) counts exactly what a byte-by-byte count of non-blank lines gives. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { countLines } from '../../../src/datasets/jsonl.js';
import { tempDir } from './helpers.js';

/** The definition: lines separated by \n that hold anything but spaces, tabs and CRs. */
function reference(bytes: Buffer): number {
  let count = 0;
  let content = false;
  for (const b of bytes) {
    if (b === 0x0a) {
      if (content) count++;
      content = false;
    } else if (b !== 0x20 && b !== 0x0d && b !== 0x09) content = true;
  }
  return content ? count + 1 : count;
}

test('small cases: blank and whitespace-only lines, CRLF, no final newline, empty and missing files', async () => {
  const dir = await tempDir();
  const cases = ['', '\n', '{"a":1}', '{"a":1}\n', '\n\n{"a":1}\n\n', ' \t\r\n{"a":1}\r\n  \n', '  {"a":1}', '{"a":1}\n \t', 'x\ny\nz'];
  for (const [i, text] of cases.entries()) {
    const file = join(dir, `c${i}.jsonl`);
    await writeFile(file, text);
    expect(await countLines(file), JSON.stringify(text)).toBe(reference(Buffer.from(text)));
  }
  expect(await countLines(join(dir, 'missing.jsonl'))).toBe(0);
});

test('a line split by the 1 MiB read chunk at its content, its trailing or its leading whitespace', async () => {
  const dir = await tempDir();
  const MiB = 2 ** 20;
  /** Filler lines up to exactly `at` bytes, then `tail`: the chunk boundary falls `at` bytes into the file. */
  const around = (at: number, tail: string) => {
    const line = `{"f":"${'z'.repeat(1000)}"}\n`;
    const n = Math.floor(at / line.length);
    const rest = at - n * line.length;
    return Buffer.from(line.repeat(n) + ' '.repeat(rest) + tail);
  };
  const cases = [
    around(MiB - 4, '{"a":1}\n'), // content split
    around(MiB - 10, '{"a":1}          \n'), // only whitespace after the boundary: the line still counts
    around(MiB - 2, '     {"a":1}\n'), // whitespace before the boundary, content after
    around(MiB - 3, '   \t \r\n'), // a whitespace-only line split: does not count
    around(MiB - 1, '\n{"a":1}'), // newline right at the boundary, last line without newline
  ];
  for (const [i, bytes] of cases.entries()) {
    const file = join(dir, `b${i}.jsonl`);
    await writeFile(file, bytes);
    expect(await countLines(file), `case ${i}`).toBe(reference(bytes));
  }
});

test('a 5 MiB file whose lines and whitespace runs cross the 1 MiB read chunks', async () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
  const parts: string[] = [];
  let size = 0;
  while (size < 5 * 2 ** 20) {
    const kind = rand(6);
    // long lines, blank lines, whitespace-only lines (some thousands of bytes long), content after leading whitespace
    const part =
      kind === 0
        ? '\n'
        : kind === 1
          ? `${' \t\r'.repeat(rand(3000))}\n`
          : kind === 2
            ? `${' '.repeat(rand(5000))}{"x":${rand(1000)}}\r\n`
            : `{"text":"${'y'.repeat(rand(200_000))}"}\n`;
    parts.push(part);
    size += part.length;
  }
  parts.push('{"last":true}'); // no final newline
  const bytes = Buffer.from(parts.join(''));
  const file = join(await tempDir(), 'big.jsonl');
  await writeFile(file, bytes);
  expect(await countLines(file)).toBe(reference(bytes));
});
