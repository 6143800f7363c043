import { Readable } from 'node:stream';
import { expect, test } from 'vitest';
import { DEFAULT_MAX_BYTES, ingest } from '../../../src/training/ingest/index.js';

const TARGET = 10 * 1024 * 1024 - 64 * 1024; // just under the 10 MiB default limit

/** Generates JSONL lazily in ~64 KiB chunks; every 100th record has no assistant message. */
function generated(stats: { produced: number; records: number }): Readable {
  async function* chunks() {
    let i = 0;
    while (stats.produced < TARGET) {
      const lines: string[] = [];
      for (let size = 0; size < 64 * 1024; i++) {
        const messages = [
          { role: 'system', content: 'You are Eos, a friendly Discord bot.' },
          { role: 'user', content: `Question number ${i}: what is ${i} plus ${i}? Please answer briefly.` },
        ];
        if (i % 100 !== 99) messages.push({ role: 'assistant', content: `${i} plus ${i} is ${2 * i}. Anything else?` });
        const line = `${JSON.stringify({ messages })}\n`;
        lines.push(line);
        size += line.length;
      }
      const chunk = Buffer.from(lines.join(''));
      stats.produced += chunk.length;
      stats.records = i;
      yield chunk;
    }
  }
  return Readable.from(chunks());
}

test('a generated ~10 MiB JSONL streams through in batches', async () => {
  const stats = { produced: 0, records: 0 };
  const batches: number[] = [];
  let producedAtFirstBatch = 0;
  const report = await ingest(generated(stats), {
    name: 'big.jsonl',
    onRecords: async (batch) => {
      if (batches.length === 0) producedAtFirstBatch = stats.produced;
      batches.push(batch.length);
    },
  });
  // The source was read lazily: when the first batch arrived only a few chunks had been generated.
  expect(producedAtFirstBatch).toBeLessThan(1024 * 1024);
  expect(report.bytes).toBe(stats.produced);
  expect(report.bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
  expect(report.bytes).toBeGreaterThan(9 * 1024 * 1024);
  const bad = Math.floor(stats.records / 100);
  expect([report.accepted, report.rejected]).toEqual([stats.records - bad, bad]);
  expect(report.tooLarge).toBeUndefined();
  expect(batches.length).toBe(Math.ceil((stats.records - bad) / 500));
  expect(batches.slice(0, -1).every((n) => n === 500)).toBe(true);
  expect(report.errors[0]).toEqual({ line: 100, code: 'example_missing_assistant_message', message: 'no assistant message' });
});
