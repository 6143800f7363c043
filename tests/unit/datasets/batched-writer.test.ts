import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BatchedWriter } from '../../../src/datasets/batched-writer.js';
import { onCleanup, tempDir } from './helpers.js';

/** fs for the writer whose file opens wait until `release()` (a batch stays in flight meanwhile). */
function gatedFs() {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let opens = 0;
  const gatedOpen = (async (...args: Parameters<typeof open>) => {
    opens++;
    await gate;
    return open(...args);
  }) as typeof open;
  return { fs: { mkdir, open: gatedOpen }, release: () => release(), opens: () => opens };
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((resolve) => setImmediate(resolve));
  }
};

describe('BatchedWriter queue bound', () => {
  test('writes over maxBufferBytes while a batch is in flight queue one batch, not one per write', async () => {
    const dir = await tempDir();
    const gated = gatedFs();
    const writer = new BatchedWriter({ maxBufferBytes: 1024, fs: gated.fs });
    onCleanup(() => writer.close());
    const file = join(dir, 'log.jsonl');
    writer.write(file, 'first\n');
    await until(() => gated.opens() === 1); // the first batch is now waiting for its file
    let most = 0;
    const lines = Array.from({ length: 10_000 }, (_, i) => `${JSON.stringify({ i, t: 'x'.repeat(60) })}\n`);
    for (const line of lines) {
      writer.write(file, line); // each one is over the 1 KiB threshold once the first few are queued
      most = Math.max(most, writer.queuedBatches());
    }
    expect(most).toBe(1);
    gated.release();
    await writer.flush();
    expect(writer.queuedBatches()).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(`first\n${lines.join('')}`);
  });

  test('a flush with `then` is not joined by later flushes: they run after `then`, which sees the earlier text', async () => {
    const dir = await tempDir();
    const gated = gatedFs();
    const writer = new BatchedWriter({ fs: gated.fs });
    onCleanup(() => writer.close());
    const file = join(dir, 'log.jsonl');
    writer.write(file, 'a\n');
    const first = writer.flush();
    expect(writer.flush()).toBe(first); // a second plain flush joins the queued batch
    const order: string[] = [];
    let seenByThen = '';
    const barrier = writer.flush(async () => {
      seenByThen = await readFile(file, 'utf8');
      order.push('then');
    });
    writer.write(file, 'b\n');
    const last = writer.flush().then(() => order.push('last'));
    gated.release();
    await Promise.all([first, barrier, last]);
    expect(order).toEqual(['then', 'last']);
    expect(seenByThen).toContain('a\n');
    expect(await readFile(file, 'utf8')).toBe('a\nb\n');
  });
});
