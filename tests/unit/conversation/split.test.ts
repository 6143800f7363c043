import { describe, expect, test } from 'vitest';
import { renderChunk, splitMessage, splitWithFences } from '../../../src/conversation/split.js';
import { fuzzCount, int, pick, prng } from './prng.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const fenceLines = (part: string) => part.split('\n').filter((l) => l.trimStart().startsWith('```')).length;

describe('splitMessage cases', () => {
  test('short text is one part, empty text none', () => {
    expect(splitMessage('hello')).toEqual(['hello']);
    expect(splitMessage('x'.repeat(2000))).toHaveLength(1);
    expect(splitMessage('')).toEqual([]);
  });

  test('rejects a non-positive or fractional limit', () => {
    expect(() => splitMessage('abc', 0)).toThrow(RangeError);
    expect(() => splitMessage('abc', 2.5)).toThrow(RangeError);
  });

  test('splits at a paragraph break, keeping the separator on the first part', () => {
    const text = 'a'.repeat(30) + '\n\n' + 'b'.repeat(30);
    expect(splitMessage(text, 40)).toEqual(['a'.repeat(30) + '\n\n', 'b'.repeat(30)]);
  });

  test('prefers a paragraph break over a later line break', () => {
    const text = 'a'.repeat(20) + '\n\n' + 'b'.repeat(10) + '\n' + 'c'.repeat(10);
    expect(splitMessage(text, 40)).toEqual(['a'.repeat(20) + '\n\n', 'b'.repeat(10) + '\n' + 'c'.repeat(10)]);
  });

  test('falls back to a line break when the paragraph break would leave a tiny part', () => {
    const text = 'a'.repeat(5) + '\n\n' + 'b'.repeat(20) + '\n' + 'c'.repeat(20);
    expect(splitMessage(text, 40)).toEqual(['a'.repeat(5) + '\n\n' + 'b'.repeat(20) + '\n', 'c'.repeat(20)]);
  });

  test('then at a sentence end, then at a space', () => {
    const text = 'One two three four five. Six seven eight nine ten eleven twelve';
    expect(splitMessage(text, 40)).toEqual(['One two three four five. ', 'Six seven eight nine ten eleven twelve']);
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
    const parts = splitMessage(words, 20);
    expect(parts.join('')).toBe(words);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(20);
    for (const p of parts.slice(0, -1)) expect(p.endsWith(' ')).toBe(true);
  });

  test('hard-cuts a long token and never splits a surrogate pair', () => {
    expect(splitMessage('x'.repeat(5000)).map((p) => p.length)).toEqual([2000, 2000, 1000]);
    const emoji = '😀'.repeat(1500);
    const parts = splitMessage(emoji, 2001);
    expect(parts.join('')).toBe(emoji);
    for (const p of parts) expect(LONE_SURROGATE.test(p)).toBe(false);
    expect(parts[0]).toHaveLength(2000);
  });

  test('keeps skin-tone and ZWJ emoji sequences together on a hard cut', () => {
    const family = '👨‍👩‍👧';
    const text = 'x'.repeat(37) + family + 'y'.repeat(20);
    const parts = splitMessage(text, 40);
    expect(parts.join('')).toBe(text);
    expect(parts.some((p) => p.includes(family))).toBe(true);
    const thumbs = 'z'.repeat(39) + '👍🏽' + 'w';
    expect(splitMessage(thumbs, 41).some((p) => p.includes('👍🏽'))).toBe(true);
  });

  test('moves a whole code block to the next part when it fits there', () => {
    const prose = 'word '.repeat(60);
    const code = '```ts\n' + 'const value = 42;\n'.repeat(100) + '```\n';
    const text = prose + '\n\n' + code + 'after';
    const parts = splitMessage(text);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(prose + '\n\n');
    expect(parts[1]).toBe(code + 'after');
  });

  test('closes and reopens a code block that must be cut, with its language', () => {
    const text = 'Intro:\n```py\n' + 'print("hello world")\n'.repeat(300) + '```\nDone.';
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    for (const p of parts) expect(fenceLines(p) % 2).toBe(0);
    for (const p of parts.slice(1)) expect(p.startsWith('```py\n')).toBe(true);
    for (const p of parts.slice(0, -1)) expect(p.endsWith('\n```')).toBe(true);
    expect(parts.at(-1)?.endsWith('```\nDone.')).toBe(true);
    const chunks = splitWithFences(text);
    expect(chunks.map((c) => c.body).join('')).toBe(text);
  });

  test('reopens without the language when the fence would take too much of a small limit', () => {
    const text = '```typescript\n' + 'let a = 1;\n'.repeat(20) + '```';
    const parts = splitMessage(text, 40);
    for (const p of parts.slice(1)) expect(p.startsWith('```\n')).toBe(true);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(40);
  });

  test('an unclosed block at the end gets no invented closing fence in its last part', () => {
    const text = '```js\n' + 'x();\n'.repeat(100);
    const parts = splitMessage(text, 100);
    expect(parts.at(-1)?.endsWith('x();\n')).toBe(true);
    expect(parts[0]?.endsWith('```')).toBe(true);
  });

  test('one-line ```inline``` fences do not open a block', () => {
    const text = '```inline```\n' + 'plain words here '.repeat(20);
    const parts = splitMessage(text, 100);
    expect(parts.join('')).toBe(text);
  });

  test('below the fence-repair threshold, parts are plain slices', () => {
    const text = '```\n' + 'abc\n'.repeat(20) + '```';
    expect(splitMessage(text, 10).join('')).toBe(text);
  });

  test('treats CRLF paragraph breaks as paragraphs', () => {
    const text = 'a'.repeat(25) + '\r\n\r\n' + 'b'.repeat(5) + '\r\n' + 'c'.repeat(20);
    expect(splitMessage(text, 40)[0]).toBe('a'.repeat(25) + '\r\n\r\n');
  });
});

const WORDS = ['the', 'quick', 'brown', 'fox', 'café', 'naïve', '日本語', '😀', '👍🏽', 'a', 'jumps', 'over', 'lazy', 'dog'];
const LANGS = ['', 'ts', 'py', 'javascript', 'rust'];

function randomDoc(random: () => number): string {
  const segments: string[] = [];
  const count = int(random, 1, 12);
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.25) {
      const lines = Array.from({ length: int(random, 1, 40) }, () =>
        pick(random, ['x = 1', 'call(a, b)', '  return y;', '', 'q'.repeat(int(random, 1, 90))]),
      );
      segments.push('```' + pick(random, LANGS) + '\n' + lines.join('\n') + '\n```');
    } else if (roll < 0.32) {
      segments.push('z'.repeat(int(random, 40, 600)));
    } else {
      const words = Array.from({ length: int(random, 1, 120) }, () => pick(random, WORDS) + (random() < 0.1 ? '.' : ''));
      segments.push(words.join(random() < 0.1 ? '\n' : ' '));
    }
  }
  // Fences stay on lines of their own: code segments are joined with line breaks only.
  const join = (prev: string, next: string) =>
    prev.includes('```') || next.startsWith('```') ? pick(random, ['\n\n', '\n']) : pick(random, ['\n\n', '\n', ' ']);
  return segments.map((s, i) => (i === 0 ? s : join(segments[i - 1] ?? '', s) + s)).join('');
}

describe('splitMessage properties (seeded random documents)', () => {
  test('limits, content preservation, balanced fences, intact surrogates', () => {
    const random = prng(20240601);
    const runs = fuzzCount(400); // CI's count; EOS_FUZZ_SCALE scales it
    for (let run = 0; run < runs; run++) {
      const text = randomDoc(random);
      const limit = int(random, 32, 400);
      const chunks = splitWithFences(text, limit);
      const parts = splitMessage(text, limit);
      const context = { run, limit, text };
      expect(chunks.map((c) => c.body).join(''), JSON.stringify(context)).toBe(text);
      expect(chunks.map(renderChunk)).toEqual(parts);
      for (const [i, p] of parts.entries()) {
        expect(p.length, JSON.stringify(context)).toBeLessThanOrEqual(limit);
        expect(p.trim().length, JSON.stringify(context)).toBeGreaterThan(0);
        expect(LONE_SURROGATE.test(p)).toBe(false);
        expect(fenceLines(p) % 2, JSON.stringify({ ...context, i, p })).toBe(0);
        const open = chunks[i]?.open ?? '';
        if (open) expect(open).toMatch(/^```[a-z]*\n$/);
        if (i > 0 && open) expect(chunks[i - 1]?.close).toMatch(/^\n?```$/);
      }
    }
  });

  test('text without backticks is split into exact slices', () => {
    const random = prng(7);
    const runs = fuzzCount(200);
    for (let run = 0; run < runs; run++) {
      const text = randomDoc(random).replaceAll('`', "'");
      const limit = int(random, 1, 300);
      const parts = splitMessage(text, limit);
      expect(parts.join('')).toBe(text);
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(limit);
      for (const p of parts) expect(p.length).toBeGreaterThan(0);
    }
  });
});

describe('whitespace at the edges', () => {
  test('a part never starts the cut before its first visible character', () => {
    const text = 'a'.repeat(39) + '\n' + '\n' + 'z'.repeat(40);
    const parts = splitMessage(text, 40);
    for (const p of parts) expect(p.trim().length).toBeGreaterThan(0);
    expect(parts.join('')).toBe(text);
  });

  test('drops trailing whitespace that would be a part of its own (splitWithFences keeps it)', () => {
    const text = 'z'.repeat(40) + '\n\n';
    expect(splitMessage(text, 40)).toEqual(['z'.repeat(40)]);
    expect(splitWithFences(text, 40).map((c) => c.body)).toEqual(['z'.repeat(40), '\n\n']);
  });
});
