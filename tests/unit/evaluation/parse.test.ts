import { describe, expect, test } from 'vitest';
import { MAX_SUITE_BYTES, parseSuite } from '../../../src/evaluation/parse.js';

function errorOf(text: string): string {
  const r = parseSuite(text);
  if (r.ok) throw new Error('expected a parse error');
  return r.error;
}

describe('parseSuite: valid suites', () => {
  test('input, messages, expected, assert, name, system', () => {
    const r = parseSuite(
      JSON.stringify([
        { name: 'greet', input: 'hi', expected: 'hello' },
        { system: 'be terse', input: 'x', expected: 'y', match: 'exact' },
        {
          messages: [
            { role: 'user', content: 'a', name: 'Ann' },
            { role: 'assistant', content: 'b' },
            { role: 'user', content: 'c' },
          ],
          assert: [
            { type: 'not-contains', value: 'sorry' },
            { type: 'similar', value: 'c', threshold: 0.5 },
          ],
        },
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.suite).toHaveLength(3);
    expect(r.suite[0]).toEqual({ name: 'greet', input: 'hi', expected: 'hello' });
    expect(r.suite[1]).toEqual({ system: 'be terse', input: 'x', expected: 'y', match: 'exact' });
    expect(r.suite[2]?.messages?.[0]).toEqual({ role: 'user', content: 'a', name: 'Ann' });
    expect(r.suite[2]?.assert).toEqual([
      { type: 'not-contains', value: 'sorry' },
      { type: 'similar', value: 'c', threshold: 0.5 },
    ]);
  });

  test('tolerates a BOM and a ```json fence, keeping line numbers', () => {
    expect(parseSuite('\uFEFF[{"input":"a","expected":"b"}]').ok).toBe(true);
    expect(parseSuite('```json\n[{"input":"a","expected":"b"}]\n```').ok).toBe(true);
    expect(errorOf('```json\n[\n  {"input" "a"}\n]\n```')).toMatch(/^Invalid JSON at line 3, column 12: /);
  });
});

describe('parseSuite: malformed JSON gives line and column', () => {
  test.each([
    ['[{"input": "a",}]', 1, 16, /Expected double-quoted property name/],
    ['[\n  {"input": "a"},\n  {"input" "b"}\n]', 3, 12, /Expected ':'/],
    ['[\n  {"input": "a"}\n  {"input": "b"}\n]', 3, 3, /Expected ',' or ']'/],
    ['[{"input": "a\n"}]', 1, 14, /control character|Bad control/i],
    ['[{"input": "a"}', 1, 16, /Expected ',' or ']'|end of JSON/],
  ])('%j', (text, line, column, reason) => {
    const error = errorOf(text);
    expect(error).toMatch(new RegExp(`^Invalid JSON at line ${line}, column ${column}: `));
    expect(error).toMatch(reason);
  });

  test('truncated input points at its end', () => {
    expect(errorOf('[\n  {"input": "a", "expected": ')).toMatch(/^Invalid JSON at line 2, column 30: /);
  });
});

describe('parseSuite: schema errors name the case and field', () => {
  test('bad assertion type, listing the allowed ones', () => {
    const error = errorOf(
      JSON.stringify([
        { input: 'a', expected: 'b' },
        { input: 'a', expected: 'b' },
        { input: 'a', assert: [{ type: 'startswith', value: 'x' }] },
      ]),
    );
    expect(error).toMatch(
      /^case 3: assert\[0\]\.type must be one of equals, contains, icontains, regex, similar, matches, not-equals, .*, judge$/,
    );
  });

  test('several problems are all reported, each with its case', () => {
    const error = errorOf(
      JSON.stringify([
        { input: 'a' },
        { expected: 'b' },
        { input: 'a', messages: [{ role: 'user', content: 'x' }], expected: 'b' },
        { input: 'a', asert: [], expected: 'b' },
        { messages: [{ role: 'bot', content: 1 }], expected: 'b' },
      ]),
    );
    expect(error).toContain('case 1: needs "expected" or "assert"');
    expect(error).toContain('case 2: needs "input" or "messages"');
    expect(error).toContain('case 3: use either "input" or "messages", not both');
    expect(error).toContain('case 4: unknown field "asert"');
    expect(error).toContain('case 5: messages[0].role must be one of system, user, assistant');
    expect(error.split('\n')).toHaveLength(6);
    expect(error).toMatch(/\n… and 1 more error$/);
  });

  test('field types and ranges', () => {
    expect(errorOf('[{"input": 3, "expected": "b"}]')).toBe('case 1: input must be a string');
    expect(errorOf('[{"input": "a", "expected": "b", "threshold": 2}]')).toBe('case 1: threshold must be a number between 0 and 1');
    expect(errorOf('[{"input": "a", "assert": [{"type": "contains", "value": "x", "threshold": 0.5}]}]')).toBe(
      'case 1: assert[0].threshold only applies to similar and not-similar',
    );
    expect(errorOf('[{"input": "a", "expected": "b", "match": "fuzzy"}]')).toBe(
      'case 1: match must be one of "auto", "exact", "contains", "similar"',
    );
    expect(errorOf('[{"messages": [{"role": "bot", "content": "x"}], "expected": "b"}]')).toBe(
      'case 1: messages[0].role must be one of system, user, assistant',
    );
  });

  test('not an array, empty, a non-object case', () => {
    expect(errorOf('{"input": "a"}')).toBe('the suite must be a JSON array of cases');
    expect(errorOf('[]')).toBe('the suite is empty');
    expect(errorOf('   ')).toMatch(/empty/);
    expect(errorOf('[{"input": "a", "expected": "b"}, "oops"]')).toMatch(/^case 2: must be an object/);
  });

  test('an invalid regex is reported for its case, before any model call', () => {
    const error = errorOf('[{"input": "a", "expected": "b"}, {"input": "a", "assert": [{"type": "not-regex", "value": "(ab"}]}]');
    expect(error).toMatch(/^case 2: assert\[0\]\.value: invalid regex: .*Unterminated group/);
    expect(errorOf('[{"input": "a", "assert": [{"type": "regex", "value": "/ab/q"}]}]')).toBe(
      'case 1: assert[0].value: invalid regex flags "q"',
    );
  });
});

describe('parseSuite: bounds', () => {
  test('refuses input over 1 MiB without parsing it', () => {
    const big = `[{"input": "${'x'.repeat(MAX_SUITE_BYTES)}", "expected": "y"}]`;
    expect(errorOf(big)).toMatch(/^suite too large \(\d+ bytes, at most 1048576\)/);
  });

  test('deep nesting is refused with a position, even when the JSON is malformed', () => {
    expect(errorOf('['.repeat(100_000))).toMatch(/^JSON nested too deeply \(more than 16 levels\) at line 1, column 17/);
    const deepValue = `[{"input": "a", "expected": "b", "assert": ${'['.repeat(20)}${']'.repeat(20)}}]`;
    expect(errorOf(deepValue)).toMatch(/nested too deeply/);
  });

  test('many cases parse quickly and correctly', () => {
    const suite = Array.from({ length: 1000 }, (_, i) => ({ input: `q${i}`, assert: [{ type: 'contains', value: `${i}` }] }));
    const r = parseSuite(JSON.stringify(suite));
    expect(r.ok && r.suite.length).toBe(1000);
    expect(errorOf(JSON.stringify([...suite, suite[0]]))).toMatch(/too many cases \(1001, at most 1000\)/);
  });
});
