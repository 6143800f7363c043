import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { describe, expect, test } from 'vitest';
import { BatchedWriter } from '../../../src/datasets/batched-writer.js';
import { ConversationLog } from '../../../src/datasets/conversation-log.js';
import { onCleanup, readLines, tempDir } from './helpers.js';

async function makeLog(maxOpen?: number) {
  const root = join(await tempDir(), 'conversations');
  const names = { user: (id: string) => (id === '222222222222222222' ? 'Bob' : undefined) };
  const log = new ConversationLog({ root, maxOpen, names });
  onCleanup(() => log.close());
  return { log, root };
}

describe('ConversationLog', () => {
  test('one file per channel named <guild>_<channel>.jsonl, DMs as dm_<channel>', async () => {
    const { log, root } = await makeLog();
    const t = '2030-01-01T00:00:00.000Z';
    await log.append({ guildId: '111', channelId: '555', role: 'user', content: 'hello <@222222222222222222>', timestamp: t, speaker: 'Alice' });
    await log.append({ guildId: '111', channelId: '555', role: 'assistant', content: 'hi Alice', timestamp: t, speaker: 'Eos' });
    await log.append({ guildId: null, channelId: '777', role: 'user', content: 'psst', timestamp: t, speaker: 'Carol' });
    await log.flush();
    expect((await readdir(root)).sort()).toEqual(['111_555.jsonl', 'dm_777.jsonl']);
    expect(await readLines(join(root, '111_555.jsonl'))).toEqual([
      { role: 'user', content: 'hello @Bob', timestamp: t, name: 'Alice' },
      { role: 'assistant', content: 'hi Alice', timestamp: t },
    ]);
    expect(await readLines(join(root, 'dm_777.jsonl'))).toEqual([{ role: 'user', content: 'psst', timestamp: t, name: 'Carol' }]);
    expect(await readFile(join(root, '111_555.jsonl'), 'utf8')).not.toContain('222222222222222222');
  });

  test('ids that could escape the folder are refused; empty messages are skipped', async () => {
    const { log, root } = await makeLog();
    const base = { role: 'user' as const, content: 'x', timestamp: 'now' };
    await expect(log.append({ ...base, guildId: '../1', channelId: '2' })).rejects.toThrow(TypeError);
    await expect(log.append({ ...base, guildId: '1', channelId: 'a/b' })).rejects.toThrow(TypeError);
    expect(await log.append({ ...base, guildId: '1', channelId: '2', content: '  \u200B ' })).toBe(false);
    expect(await readdir(join(root, '..'))).toEqual([]);
  });

  test('at most maxOpen files stay open; lines keep their order across reopening', async () => {
    const { log, root } = await makeLog(3);
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(Array.from({ length: 10 }, (_, c) => log.append({ guildId: '9', channelId: String(c), role: 'user', content: `r${round}`, timestamp: 't' })));
      await log.flush();
      expect(log.openFiles()).toBeLessThanOrEqual(3);
    }
    for (let c = 0; c < 10; c += 1) {
      expect((await readLines(join(root, `9_${c}.jsonl`))).map((l) => (l as { content: string }).content)).toEqual(['r0', 'r1', 'r2']);
    }
  });

  test('a torn tail left by a crash is repaired before the next line', async () => {
    const { log, root } = await makeLog();
    await log.append({ guildId: '1', channelId: '2', role: 'user', content: 'first', timestamp: 't' });
    await log.close();
    await writeFile(join(root, '1_2.jsonl'), '{"role":"assi', { flag: 'a' });
    await log.append({ guildId: '1', channelId: '2', role: 'assistant', content: 'second', timestamp: 't' });
    await log.flush();
    expect((await readLines(join(root, '1_2.jsonl'))).map((l) => (l as { content: string }).content)).toEqual(['first', 'second']);
  });
});

describe('ConversationLog batching', () => {
  test('lines reach the file without flush(), whole and in order', async () => {
    const { log, root } = await makeLog();
    const file = join(root, '1_2.jsonl');
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    for (const content of lines) await log.append({ guildId: '1', channelId: '2', role: 'user', content, timestamp: 't' });
    const deadline = Date.now() + 5000;
    let got: string[] = [];
    while (got.length < lines.length && Date.now() < deadline) {
      got = (await readLines(file).catch(() => [])).map((l) => (l as { content: string }).content);
      if (got.length < lines.length) await new Promise((r) => setImmediate(r));
    }
    expect(got).toEqual(lines);
  });

  test('with flushMs, lines wait in memory; close() writes them', async () => {
    const root = join(await tempDir(), 'conversations');
    const log = new ConversationLog({ root, flushMs: 60_000 });
    await log.append({ guildId: '1', channelId: '2', role: 'user', content: 'kept until close', timestamp: 't' });
    expect(await readdir(root).catch(() => [])).toEqual([]);
    await log.close();
    expect((await readLines(join(root, '1_2.jsonl'))).map((l) => (l as { content: string }).content)).toEqual(['kept until close']);
  });
});

describe('BatchedWriter writes', () => {
  test('a large batch of multi-byte lines reaches the file whole and in order (one write per file per batch)', async () => {
    const dir = await tempDir();
    const writer = new BatchedWriter();
    onCleanup(() => writer.close());
    const file = join(dir, 'sub', 'big.jsonl');
    // ~600 KiB of lines with 2-, 3- and 4-byte characters: more than maxBufferBytes, so several batches.
    const lines = Array.from({ length: 3000 }, (_, i) => `${JSON.stringify({ i, t: `héllo ✓ 🙂 ${'x'.repeat(150)}` })}\n`);
    for (const l of lines) writer.write(file, l);
    await writer.flush();
    expect(await readFile(file, 'utf8')).toBe(lines.join(''));
  });

  test('durable batches (fsync) are written too, and a write error is logged without losing later batches', async () => {
    const dir = await tempDir();
    const errors: unknown[] = [];
    const log = { error: (o: unknown) => errors.push(o), warn: () => undefined } as unknown as Logger;
    const durable = new BatchedWriter({ durable: true, log });
    onCleanup(() => durable.close());
    await writeFile(join(dir, 'blocker'), 'a file where a folder should be');
    durable.write(join(dir, 'blocker', 'x.jsonl'), 'lost\n');
    durable.write(join(dir, 'ok.jsonl'), 'kept 1\n');
    await durable.flush();
    durable.write(join(dir, 'ok.jsonl'), 'kept 2\n');
    await durable.flush();
    expect(await readFile(join(dir, 'ok.jsonl'), 'utf8')).toBe('kept 1\nkept 2\n');
    expect(errors).toHaveLength(1);
  });
});
