import { describe, expect, test } from 'vitest';
import { checkAssertion, checkCase } from '../../../src/evaluation/assertions.js';
import { safeRegexTest } from '../../../src/evaluation/regex.js';
import type { Assertion, AssertionType } from '../../../src/evaluation/types.js';

const a = (type: AssertionType, value: string, threshold?: number): Assertion =>
  threshold === undefined ? { type, value } : { type, value, threshold };

const OUT = 'The capital of France is Paris.';

// [type, value, holds on OUT, threshold?]
const cases: [AssertionType, string, boolean, number?][] = [
  ['equals', '  The capital of France is Paris.\n', true],
  ['equals', 'the capital of france is paris.', false],
  ['contains', 'Paris', true],
  ['contains', 'paris', false],
  ['icontains', 'PARIS', true],
  ['icontains', 'Lyon', false],
  ['regex', 'capital of \\w+', true],
  ['regex', '/^the CAPITAL/i', true],
  ['regex', '^the CAPITAL', false],
  ['regex', '/\\d+/', false],
  ['similar', 'Paris is the capital of France', true],
  ['similar', 'Berlin is in Germany', false],
  ['similar', 'capital Paris', true, 0.5],
  ['similar', 'capital Paris', false, 0.9],
  ['matches', 'paris', true],
  ['matches', 'capital of FRANCE', true],
  ['matches', 'the capital of france is paris!!', true],
  ['matches', 'Par', false],
  ['matches', 'France capital', false],
];

describe('every assertion type and its not- form', () => {
  test.each(cases)('%s %j → holds=%s', (type, value, holds, threshold) => {
    const positive = checkAssertion(a(type, value, threshold), OUT);
    const negative = checkAssertion(a(`not-${type}` as AssertionType, value, threshold), OUT);
    expect(positive === null).toBe(holds);
    expect(negative === null).toBe(!holds);
    const failure = holds ? negative : positive;
    expect(failure).toMatch(new RegExp(`^${holds ? 'not-' : ''}${type} `));
  });

  test('failure lines say what failed', () => {
    expect(checkAssertion(a('contains', 'Lyon'), OUT)).toBe('contains "Lyon": not found');
    expect(checkAssertion(a('not-contains', 'Paris'), OUT)).toBe('not-contains "Paris": found');
    expect(checkAssertion(a('regex', '\\d+'), OUT)).toBe('regex /\\d+/: no match');
    expect(checkAssertion(a('not-regex', '/paris/i'), OUT)).toBe('not-regex /paris/i: matched');
    expect(checkAssertion(a('similar', 'Berlin is in Germany'), OUT)).toMatch(
      /^similar ≥ 0\.80 to "Berlin is in Germany": similarity 0\.\d\d \(words\)$/,
    );
    expect(checkAssertion(a('not-similar', OUT, 0.5), OUT)).toBe(`not-similar < 0.50 to "${OUT}": similarity 1.00 (words)`);
    expect(checkAssertion(a('equals', 'x'.repeat(200)), OUT)).toMatch(/^equals "x{79}…": output differs$/);
  });
});

describe('regex safety', () => {
  test('an invalid pattern fails both forms instead of throwing', () => {
    expect(checkAssertion(a('regex', '(ab'), OUT)).toMatch(/^regex \/\(ab\/: invalid regex: /);
    expect(checkAssertion(a('not-regex', '(ab'), OUT)).toMatch(/^not-regex \/\(ab\/: invalid regex: /);
  });

  test('catastrophic backtracking is interrupted and reported', () => {
    const r = safeRegexTest('(a+)+$', `${'a'.repeat(40)}!`, 50);
    expect(r).toEqual({ ok: false, error: 'regex timed out after 50 ms' });
  });

  test('over-long patterns are refused', () => {
    expect(safeRegexTest('a'.repeat(1001), 'a')).toEqual({ ok: false, error: 'pattern longer than 1000 characters' });
  });

  test('only the first 100 000 characters of the output are searched', () => {
    const text = `${'x'.repeat(100_000)}needle`;
    expect(safeRegexTest('needle', text)).toEqual({ ok: true, matched: false });
    expect(safeRegexTest('needle', text.slice(10))).toEqual({ ok: true, matched: true });
  });
});

describe('checkCase', () => {
  test('expected alone is a normalized match: equal or contained, ignoring case and punctuation (issue 11: "Paris")', () => {
    expect(checkCase({ input: 'q', expected: 'Paris' }, 'Paris is the capital.')).toEqual([]);
    expect(checkCase({ input: 'q', expected: 'paris.' }, 'PARIS')).toEqual([]);
    expect(checkCase({ input: 'q', expected: 'Paris is the capital of France.' }, OUT)).toEqual([
      'expected → matches "Paris is the capital of France.": not found (normalized)',
    ]);
    expect(checkCase({ input: 'q', expected: 'Paris' }, 'Parisian food is great')).toHaveLength(1);
  });

  test('"match": "contains" and "similar" pick the other checks', () => {
    expect(checkCase({ input: 'q', expected: 'paris', match: 'contains' }, OUT)).toEqual(['expected → contains "paris": not found']);
    const fail = checkCase({ input: 'q', expected: 'It is Paris', match: 'similar' }, OUT);
    expect(fail).toHaveLength(1);
    expect(fail[0]).toMatch(/^expected → similar ≥ 0\.80 to "It is Paris": similarity 0\.\d\d \(words\)$/);
  });

  test('the case threshold applies to expected', () => {
    expect(checkCase({ input: 'q', expected: 'It is Paris', threshold: 0.2 }, OUT)).toEqual([]);
  });

  test('"match": "exact" makes expected an equals check', () => {
    expect(checkCase({ input: 'q', expected: 'Paris is the capital of France.', match: 'exact' }, OUT)).toEqual([
      'expected → equals "Paris is the capital of France.": output differs',
    ]);
    expect(checkCase({ input: 'q', expected: `${OUT}\n`, match: 'exact' }, OUT)).toEqual([]);
  });

  test('expected and assert are all checked, each failure listed', () => {
    const failures = checkCase(
      { input: 'q', expected: OUT, assert: [a('contains', 'Paris'), a('icontains', 'lyon'), a('not-icontains', 'france')] },
      OUT,
    );
    expect(failures).toEqual(['icontains "lyon": not found', 'not-icontains "france": found']);
  });
});
