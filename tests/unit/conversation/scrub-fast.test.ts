/**
 * The fast paths of scrubPrivate / toDatasetText (key passes skipped without a long run of token characters, '<'
 * and '@' checks, the memo of text-only steps) must never change a result: the current implementation against
 * the frozen one before them (sanitize-reference.ts) on the hostile fuzz corpus and on generated personal data.
 */
import { describe, expect, test } from 'vitest';
import { DatasetTextCache, scrubPrivate, toDatasetText, type PrivacyOptions } from '../../../src/conversation/sanitize.js';
import * as reference from './sanitize-reference.js';
import { hostileInput, type Ids } from '../../hostile/gen.js';
import { fuzzCount, int, pick, prng } from './prng.js';

const ids: Ids = {
  users: ['100000000000000000', '123456789012345678'],
  roles: ['200000000000000001'],
  channels: ['300000000000000001'],
  bot: 'bot',
};

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function chars(r: () => number, n: number, set = ALNUM): string {
  let s = '';
  for (let i = 0; i < n; i++) s += set[Math.floor(r() * set.length)];
  return s;
}

/** Personal data of every kind the scrubber knows, at and around each pattern's minimum length. */
function personal(r: () => number): string {
  const n = (min: number) => min + int(r, -2, 3);
  return pick(r, [
    () => `sk-${pick(r, ['', 'proj-', 'ant-', 'live-', 'test-', 'svcacct-'])}${chars(r, n(16), ALNUM + '_-')}`,
    () => `${pick(r, ['ghp', 'gho', 'ghu', 'ghs', 'ghr', 'github_pat'])}_${chars(r, n(20), ALNUM + '_')}`,
    () => `xox${pick(r, [...'abposr'])}-${chars(r, n(10), ALNUM + '-')}`,
    () => `${pick(r, ['AKIA', 'ASIA'])}${chars(r, n(16), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`,
    () => `AIza${chars(r, n(35), ALNUM + '_-')}`,
    () => `eyJ${chars(r, n(8))}.${chars(r, n(8))}.${chars(r, n(8))}`,
    () => `${chars(r, n(24))}.${chars(r, int(r, 5, 8))}.${chars(r, n(27), ALNUM + '_-')}`,
    () =>
      `${pick(r, ['Bearer', 'bot', 'API_KEY', 'api-key', 'token', 'Secret', 'password', 'passwd'])}${pick(r, [' ', '=', ': ', ':'])}${pick(r, ['', '"', "'"])}${chars(r, n(16), ALNUM + '._~+/=-')}`,
    () => `${chars(r, int(r, 1, 12), ALNUM + '._%+-')}@${chars(r, int(r, 1, 10))}.${pick(r, ['com', 'co.uk', 'de', 'example'])}`,
    () =>
      `${pick(r, ['+1 ', '+49 ', '+4930', '(555) ', '555-', ''])}${chars(r, int(r, 3, 4), '0123456789')}${pick(r, ['-', ' ', '.', ''])}${chars(r, int(r, 3, 8), '0123456789')}`,
    () => `${pick(r, ['@', '', '<@', '<@!'])}${chars(r, int(r, 14, 20), '0123456789')}${pick(r, ['', '>'])}`,
  ])();
}

function corpus(count: number): string[] {
  const r = prng(20261206);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const glue = () => pick(r, [' ', '', '\n', ', ', 'x', '.', '-', '_', '/', '\t', '  \n\n\n', '\u200B', '<', '@']);
    out.push(hostileInput(r, ids).content.slice(0, 20_000));
    out.push([personal(r), personal(r), personal(r)].map((p) => `${glue()}${p}${glue()}`).join(pick(r, [' ', '', 'and', '\n'])));
    out.push(`plain chat message number ${i} with nothing to hide ${glue()}`);
  }
  return out;
}

const OPTION_SETS: Partial<PrivacyOptions>[] = [{}, { keys: false }, { emails: false }, { phones: false }, { ids: false }];
const CASES = corpus(fuzzCount(1000));

describe('scrub fast paths equal the implementation without them', () => {
  test('scrubPrivate, every option set, on the fuzz corpus and generated personal data', () => {
    let replaced = 0;
    for (const text of CASES) {
      for (const opts of OPTION_SETS) {
        const want = reference.scrubPrivate(text, opts);
        expect(scrubPrivate(text, opts), JSON.stringify(text.slice(0, 200))).toBe(want);
        if (want !== text) replaced++;
      }
    }
    expect(replaced).toBeGreaterThan(CASES.length); // the corpus does hold personal data
  });

  test('toDatasetText (fresh and from the memo), with and without name resolvers', () => {
    const names = { user: (id: string) => (id.endsWith('8') ? 'Bob' : undefined), role: () => 'Mods', privacy: { phones: false } };
    for (const text of CASES) {
      const want = reference.toDatasetText(text);
      expect(toDatasetText(text), JSON.stringify(text.slice(0, 200))).toBe(want);
      expect(toDatasetText(text)).toBe(want); // second call: memo
      expect(toDatasetText(text, names)).toBe(reference.toDatasetText(text, names));
    }
  });

  test('the shortest key of all ("xoxb-" + 10) is still found', () => {
    expect(scrubPrivate('see xoxb-abcdefghij!')).toBe('see [key]!');
    expect(reference.scrubPrivate('see xoxb-abcdefghij!')).toBe('see [key]!');
  });
});

describe('DatasetTextCache', () => {
  test('bounded by characters, least recently used dropped first; huge entries are not kept', () => {
    const cache = new DatasetTextCache(100, 40);
    cache.set('a'.repeat(10), 'A'.repeat(10));
    cache.set('b'.repeat(10), 'B'.repeat(10));
    expect(cache.get('a'.repeat(10))).toBe('A'.repeat(10)); // a is now the most recent
    for (const c of 'cdef') cache.set(c.repeat(10), c.toUpperCase().repeat(10)); // 120 chars > 100
    expect(cache.get('b'.repeat(10))).toBeUndefined();
    expect(cache.get('a'.repeat(10))).toBe('A'.repeat(10));
    cache.set('h'.repeat(30), 'H'.repeat(30));
    expect(cache.get('h'.repeat(30))).toBeUndefined();
    expect(cache.size).toBeLessThanOrEqual(5);
  });
});
