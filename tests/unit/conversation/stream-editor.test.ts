import { describe, expect, test } from 'vitest';
import { StreamingReply, type StreamingResult } from '../../../src/conversation/stream-editor.js';
import { splitMessage } from '../../../src/conversation/split.js';
import { FakeClock, Feed, flush } from './fakes.js';

interface Op {
  kind: 'send' | 'edit';
  id: string;
  text: string;
  at: number;
}

function setup(intervalMs = 1000, limit = 2000, opts: { failSend?: boolean } = {}) {
  const clock = new FakeClock();
  const ops: Op[] = [];
  const finals: boolean[] = [];
  const messages = new Map<string, string>();
  const reply = new StreamingReply({
    intervalMs,
    limit,
    now: clock.now,
    sleep: clock.sleep,
    send: async (text, final) => {
      if (opts.failSend) throw new Error('send failed');
      finals.push(final);
      const id = `m${messages.size + 1}`;
      messages.set(id, text);
      ops.push({ kind: 'send', id, text, at: clock.t });
      return { id };
    },
    edit: async (id, text) => {
      if (!messages.has(id)) throw new Error(`edit of unknown message ${id}`);
      messages.set(id, text);
      ops.push({ kind: 'edit', id, text, at: clock.t });
    },
  });
  const feed = new Feed();
  let result: StreamingResult | undefined;
  let error: unknown;
  const done = reply.run(feed).then(
    (r) => (result = r),
    (e: unknown) => (error = e),
  );
  const edits = () => ops.filter((o) => o.kind === 'edit');
  return { clock, ops, finals, messages, feed, done, edits, result: () => result, error: () => error, reply };
}

describe('StreamingReply', () => {
  test('holds the first text one interval (lookahead), then coalesces deltas into one edit per interval (timer-driven)', async () => {
    const s = setup(1000);
    s.feed.push('Hel');
    await flush();
    s.feed.push('lo');
    await s.clock.advance(100);
    expect(s.ops).toEqual([]); // the stream may still end within the interval
    await s.clock.advance(900); // t = 1000: still streaming, the text so far is sent (not final)
    expect(s.ops).toEqual([{ kind: 'send', id: 'm1', text: 'Hello', at: 1000 }]);
    s.feed.push(' wor');
    await s.clock.advance(100);
    s.feed.push('ld');
    await s.clock.advance(100);
    expect(s.edits()).toHaveLength(0);
    await s.clock.advance(800); // t = 2000: the pending text is flushed although the stream is quiet
    expect(s.edits()).toEqual([{ kind: 'edit', id: 'm1', text: 'Hello world', at: 2000 }]);
    s.feed.end();
    await s.done;
    expect(s.result()).toEqual({ parts: ['Hello world'], messageIds: ['m1'], edits: 1 });
    expect(s.finals).toEqual([false]);
  });

  test('a reply that ends within the interval is sent once, marked final, with no edit', async () => {
    const s = setup(1000);
    s.feed.push('Hel');
    s.feed.push('lo');
    await s.clock.advance(300);
    s.feed.push(' world');
    s.feed.end();
    await s.clock.advance(0);
    await s.done;
    expect(s.ops).toEqual([{ kind: 'send', id: 'm1', text: 'Hello world', at: 300 }]);
    expect(s.finals).toEqual([true]);
    // Over the limit: several messages, none of them final (the caller adds buttons as before).
    const long = setup(1000, 10);
    long.feed.push('aaaa bbbb cccc dddd');
    long.feed.end();
    await long.clock.advance(0);
    await long.done;
    expect(long.ops.length).toBeGreaterThan(1);
    expect(long.finals.every((f) => !f)).toBe(true);
    // A stream that fails is never final.
    const failing = setup(1000);
    failing.feed.push('partial');
    failing.feed.fail(new Error('reset'));
    await failing.clock.advance(0);
    await failing.done;
    expect(failing.ops.map((o) => o.text)).toEqual(['partial']);
    expect(failing.finals).toEqual([false]);
  });

  test('the final edit waits out the interval, and is skipped when nothing changed', async () => {
    const s = setup(1000);
    s.feed.push('a');
    await s.clock.advance(1000);
    await s.clock.advance(200);
    s.feed.push('b');
    s.feed.end();
    await s.clock.advance(2000);
    await s.done;
    expect(s.edits()).toEqual([{ kind: 'edit', id: 'm1', text: 'ab', at: 2000 }]);

    const quiet = setup(1000);
    quiet.feed.push('only');
    quiet.feed.end();
    await quiet.clock.advance(0);
    await quiet.done;
    expect(quiet.result()).toEqual({ parts: ['only'], messageIds: ['m1'], edits: 0 });
  });

  test('many deltas: edits are spaced by at least the interval and the end shows everything', async () => {
    const s = setup(1000);
    let full = '';
    for (let i = 0; i < 100; i++) {
      const delta = `w${i} `;
      full += delta;
      s.feed.push(delta);
      await s.clock.advance(50);
    }
    s.feed.end();
    await s.clock.advance(1000);
    await s.done;
    const times = s.edits().map((e) => e.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(times.length).toBeLessThanOrEqual(6);
    expect(s.messages.get('m1')).toBe(full);
    expect(s.result()?.edits).toBe(times.length);
  });

  test('empty deltas cause no edits; a stream with no visible text sends nothing', async () => {
    const s = setup(100);
    s.feed.push('x');
    await s.clock.advance(500);
    s.feed.push('');
    await s.clock.advance(500);
    s.feed.end();
    await s.done;
    expect(s.result()).toEqual({ parts: ['x'], messageIds: ['m1'], edits: 0 });

    const blank = setup(100);
    blank.feed.push('  \n');
    blank.feed.push('');
    blank.feed.end();
    await blank.clock.advance(1000);
    await blank.done;
    expect(blank.ops).toEqual([]);
    expect(blank.result()).toEqual({ parts: [], messageIds: [], edits: 0 });
  });

  test('overflow continues in new messages; every message ends with its split part', async () => {
    const s = setup(300, 50);
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`);
    const full = words.join(' ') + '.';
    for (const chunk of full.match(/.{1,7}/gs) ?? []) {
      s.feed.push(chunk);
      await s.clock.advance(40);
    }
    s.feed.end();
    await s.clock.advance(1000);
    await s.done;
    const result = s.result()!;
    expect(result.parts.length).toBeGreaterThan(5);
    expect(result.parts.join('')).toBe(full);
    for (const part of result.parts) expect(part.length).toBeLessThanOrEqual(50);
    expect(result.messageIds.map((id) => s.messages.get(id))).toEqual(result.parts);
    const times = s.edits().map((e) => e.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(300);
  });

  test('a big first delta is split into several messages without edits', async () => {
    const s = setup(1000, 100);
    const text = 'para one. '.repeat(25);
    s.feed.push(text);
    s.feed.end();
    await s.clock.advance(0);
    await s.done;
    expect(s.result()?.parts).toEqual(splitMessage(text, 100));
    expect(s.result()?.edits).toBe(0);
  });

  test('a code block cut across messages is closed and reopened', async () => {
    const s = setup(200, 120);
    const full = 'Here:\n```py\n' + Array.from({ length: 30 }, (_, i) => `print(${i})`).join('\n') + '\n```\nDone';
    for (const line of full.split(/(?<=\n)/)) {
      s.feed.push(line);
      await s.clock.advance(30);
    }
    s.feed.end();
    await s.clock.advance(1000);
    await s.done;
    const parts = s.result()!.parts;
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(part.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    for (const part of parts.filter((p) => p.includes('print('))) expect(part).toMatch(/^(Here:\n)?```py\n/);
    const unfenced = (text: string) => text.replaceAll('```py\n', '').replaceAll('```', '');
    expect(unfenced(parts.join(''))).toBe(unfenced(full));
    expect(parts.at(-1)?.endsWith('\n```\nDone')).toBe(true);
  });

  test('a stream error after some text flushes the partial text and rethrows', async () => {
    const s = setup(1000);
    s.feed.push('partial');
    await s.clock.advance(100);
    s.feed.push(' answer');
    s.feed.fail(new Error('connection reset'));
    await s.clock.advance(2000);
    await s.done;
    expect((s.error() as Error).message).toBe('connection reset');
    expect(s.messages.get('m1')).toBe('partial answer');
  });

  test('a stream error before any text rejects without sending', async () => {
    const s = setup(1000);
    s.feed.fail(new Error('refused'));
    await s.clock.advance(10);
    await s.done;
    expect((s.error() as Error).message).toBe('refused');
    expect(s.ops).toEqual([]);
  });

  test('a failing send propagates and closes the stream', async () => {
    const s = setup(1000, 2000, { failSend: true });
    s.feed.push('hello');
    await s.clock.advance(1000);
    await s.done;
    expect((s.error() as Error).message).toBe('send failed');
    s.feed.push('more');
    await flush();
    expect(s.feed.returned).toBe(true);
  });

  test('run can only be used once', async () => {
    const s = setup(1000);
    s.feed.end();
    await s.done;
    await expect(s.reply.run(new Feed())).rejects.toThrow(/once/);
  });
});
