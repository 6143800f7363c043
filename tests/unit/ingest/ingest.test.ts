import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { ingest } from '../../../src/training/ingest/index.js';
import { chatLine, chunked, codes, run, runText } from './helpers.js';

describe('mixed input', () => {
  test('counts good and bad lines and keeps them in order', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 30; i++) {
      if (i % 7 === 0) lines.push('{"messages": [{"role": "user", "content": "no reply"}]}');
      else if (i % 10 === 0) lines.push('{oops');
      else lines.push(chatLine(`q${i}`, `a${i}`));
    }
    const r = await run(lines.join('\n'), 'mixed.jsonl');
    // Bad: 7, 14, 21, 28 (no assistant) and 10, 20, 30 (invalid JSON).
    expect([r.report.accepted, r.report.rejected]).toEqual([23, 7]);
    expect(codes(r)).toEqual([
      '7:example_missing_assistant_message',
      '10:invalid_json',
      '14:example_missing_assistant_message',
      '20:invalid_json',
      '21:example_missing_assistant_message',
      '28:example_missing_assistant_message',
      '30:invalid_json',
    ]);
    expect(r.records.map((rec) => rec.messages[0]?.content)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1)
        .filter((i) => i % 7 !== 0 && i % 10 !== 0)
        .map((i) => `q${i}`),
    );
  });

  test('keeps only the first 20 errors but counts every rejection', async () => {
    const text = Array.from({ length: 45 }, () => 'nope').join('\n');
    const r = await run(text, 'x.jsonl');
    expect(r.report.rejected).toBe(45);
    expect(r.report.errors).toHaveLength(20);
    expect(r.report.errors[19]?.line).toBe(20);
  });
});

describe('bad input never crashes', () => {
  test('invalid UTF-8 is refused with the line of the first bad byte', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${chatLine('a', 'b')}\n${chatLine('c', 'd')}\n{"messages": "`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n'),
    ]);
    const r = await run(chunked(bytes, 16), 'x.jsonl');
    expect(codes(r)).toEqual(['3:invalid_utf8']);
    expect(r.report.accepted).toBe(0); // the first two lines were still in the pending batch
    expect(r.records).toEqual([]);
  });

  test('a truncated multibyte character at the end is invalid UTF-8', async () => {
    const r = await run(Buffer.concat([Buffer.from('User: hi\nAssistant: caf'), Buffer.from([0xc3])]), null);
    expect(r.report.errors[0]?.code).toBe('invalid_utf8');
  });

  test('binary data (NUL bytes, a PNG header) and UTF-16 text are refused', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const a = await run(png, 'cat.png');
    expect(codes(a)).toEqual(['0:binary']);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('User: hi\n', 'utf16le')]);
    const b = await run(utf16, 'chat.txt');
    expect(b.report.errors[0]?.message).toMatch(/UTF-16/);
    expect(b.records).toEqual([]);
  });

  test('empty and whitespace-only input give a clear error', async () => {
    for (const text of ['', '  \n\n\t']) {
      const r = await runText(text);
      expect(codes(r)).toEqual(['0:empty']);
      expect([r.report.accepted, r.report.rejected, r.batches.length]).toEqual([0, 0, 0]);
    }
    const none = await run(Readable.from([]), 'x.jsonl');
    expect(codes(none)).toEqual(['0:empty']);
  });

  test('a file without any example says so', async () => {
    const r = await run('prompt,completion\n', 'x.csv');
    expect(codes(r)).toEqual(['0:no_examples']);
  });
});

describe('size limit', () => {
  test('a declared size over maxBytes is refused without reading', async () => {
    let pulled = false;
    async function* source() {
      pulled = true;
      yield Buffer.from(chatLine('a', 'b'));
    }
    const r = await run(Readable.from(source()), 'x.jsonl', { size: 11 * 1024 * 1024 });
    expect(r.report.tooLarge).toBe(true);
    expect(codes(r)).toEqual(['0:too_large']);
    expect([r.report.bytes, r.report.accepted, pulled]).toEqual([0, 0, false]);
  });

  test('streaming past maxBytes aborts: earlier batches stay, no further batch, source destroyed', async () => {
    const line = `${chatLine('question', 'answer')}\n`;
    const text = line.repeat(1200); // 500 + 500 + 200 records if it were read whole
    const source = chunked(text, 4096);
    const maxBytes = line.length * 700; // batch 1 (records 1-500) is delivered; the cut comes before record 1000
    const r = await run(source, 'x.jsonl', { maxBytes });
    expect(r.report.tooLarge).toBe(true);
    expect(r.batches).toEqual([500]);
    expect(r.report.accepted).toBe(500);
    expect(r.report.errors[0]?.code).toBe('too_large');
    expect(r.report.bytes).toBeGreaterThan(maxBytes);
    expect(r.report.bytes).toBeLessThanOrEqual(maxBytes + 4096);
    expect(source.destroyed).toBe(true);
  });
});

describe('batches and errors from the caller', () => {
  test('onRecords gets batches of at most 500 in order', async () => {
    const text = Array.from({ length: 1234 }, (_, i) => chatLine(`q${i}`, 'a')).join('\n');
    const r = await run(chunked(text, 1000), 'x.jsonl');
    expect(r.batches).toEqual([500, 500, 234]);
    expect(r.records[1233]?.messages[0]?.content).toBe('q1233');
  });

  test('an error thrown by onRecords rejects the ingest', async () => {
    const source = Readable.from([Buffer.from(chatLine('a', 'b'))]);
    const failing = ingest(source, { name: 'x.jsonl', onRecords: async () => Promise.reject(new Error('disk full')) });
    await expect(failing).rejects.toThrow('disk full');
  });
});
