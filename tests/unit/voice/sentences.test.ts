import { describe, expect, test } from 'vitest';
import { SentenceSplitter } from '../../../src/voice/pipeline/sentences.js';

/** Feeds text in pieces of `size` characters; returns the sentences in order, flush included. */
function split(text: string, size = 3, maxChars?: number): string[] {
  const s = new SentenceSplitter(maxChars ? { maxChars } : {});
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
  const rest = s.flush();
  if (rest) out.push(rest);
  return out;
}

describe('SentenceSplitter', () => {
  test('splits at . ! ? followed by a space, whatever the delta sizes', () => {
    const text = 'Hello there! How are you today? I am fine. Thanks';
    const expected = ['Hello there!', 'How are you today?', 'I am fine.', 'Thanks'];
    for (const size of [1, 2, 5, 100]) expect(split(text, size)).toEqual(expected);
  });

  test('emits a sentence as soon as the next character shows it is complete, not before', () => {
    const s = new SentenceSplitter();
    expect(s.push('Hello there.')).toEqual([]);
    expect(s.push(' H')).toEqual(['Hello there.']);
    expect(s.push('ow are')).toEqual([]);
    expect(s.flush()).toBe('How are');
    expect(s.flush()).toBeNull();
  });

  test('does not split decimals, versions, domains or times', () => {
    expect(split('Pi is 3.14 and the version is v1.2.3 on example.com today. Next one.')).toEqual([
      'Pi is 3.14 and the version is v1.2.3 on example.com today.',
      'Next one.',
    ]);
  });

  test('does not split after common abbreviations, dotted acronyms or initials', () => {
    expect(split('Dr. Smith met Mrs. Jones at St. Mary, e.g. at noon. J. R. R. Tolkien wrote it. The U.S. Army came. Done.')).toEqual([
      'Dr. Smith met Mrs. Jones at St. Mary, e.g. at noon.',
      'J. R. R. Tolkien wrote it.',
      'The U.S. Army came.',
      'Done.',
    ]);
  });

  test('a period before a lowercase word is not a sentence end', () => {
    expect(split('We had apples, pears, etc. and more. Then we left.')).toEqual(['We had apples, pears, etc. and more.', 'Then we left.']);
  });

  test('splits at newlines (lists, paragraphs); list numbers stay with their item', () => {
    expect(split('Here you go:\n1. Eggs\n2. Milk\n\nThat is all.')).toEqual(['Here you go:', '1. Eggs', '2. Milk', 'That is all.']);
  });

  test('keeps closing quotes and brackets with their sentence; handles ?! and ellipses', () => {
    expect(split('He said "stop." Then (quietly.) he left?! Well... maybe.')).toEqual([
      'He said "stop."',
      'Then (quietly.)',
      'he left?!',
      'Well...',
      'maybe.',
    ]);
  });

  test('an over-long run-on is cut at a clause boundary before maxChars', () => {
    const text = 'one two three four five six, seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';
    const parts = split(text, 4, 60);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]).toBe('one two three four five six,');
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(60);
    expect(parts.join(' ')).toBe(text);
  });

  test('whitespace-only input gives nothing; reset drops the buffer', () => {
    expect(split('   \n\n  ')).toEqual([]);
    const s = new SentenceSplitter();
    s.push('Half a sent');
    s.reset();
    expect(s.flush()).toBeNull();
  });

  test('CJK full stops end sentences without a following space', () => {
    expect(split('你好。今天好吗？好')).toEqual(['你好。', '今天好吗？', '好']);
  });
});
