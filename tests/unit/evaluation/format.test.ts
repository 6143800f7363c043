import { describe, expect, test } from 'vitest';
import { formatSuiteResult, seconds } from '../../../src/evaluation/format.js';
import type { CaseResult, SuiteResult } from '../../../src/evaluation/types.js';

function result(cases: CaseResult[], latency = { p50: 1234, p95: 2010, mean: 1500, max: 2500 }): SuiteResult {
  return {
    passed: cases.filter((c) => c.passed).length,
    total: cases.length,
    latency,
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:10.000Z',
    model: 'fake',
    cases,
  };
}

const pass = (index: number): CaseResult => ({ index, passed: true, output: 'ok', failures: [], latencyMs: 1 });
const fail = (index: number, extra: Partial<CaseResult> = {}): CaseResult => ({
  index,
  passed: false,
  output: 'Hello there,\nhow are you?',
  failures: ['contains "bye": not found'],
  latencyMs: 1,
  ...extra,
});

describe('formatSuiteResult', () => {
  test('headline, then each failing case with its failures and output', () => {
    const text = formatSuiteResult(result([pass(0), pass(1), fail(2, { name: 'greeting' }), pass(3)]));
    expect(text).toBe(
      ['**3/4 passed** · p50 1.2 s · p95 2.0 s', '❌ #3 greeting (0.0 s): contains "bye": not found', '> Hello there, how are you?'].join(
        '\n',
      ),
    );
  });

  test('tokens, the prompt path and what `expected` meant are stated; a failing case shows its latency and tokens', () => {
    const r = result([pass(0), fail(1, { latencyMs: 1500, usage: { prompt: 40, completion: 5 } })]);
    r.usage = { prompt: 80, completion: 9 };
    r.mode = 'chat';
    r.model = 'gpt-x';
    r.suite = [
      { input: 'a', expected: 'Paris' },
      { input: 'b', assert: [{ type: 'contains', value: 'bye' }] },
    ];
    const lines = formatSuiteResult(r).split('\n');
    expect(lines[0]).toBe('**1/2 passed** · p50 1.2 s · p95 2.0 s · 89 tokens (80 in, 9 out)');
    expect(lines[1]).toBe(
      '-# `gpt-x`, chat prompt (system prompt and few-shot examples, as users get) · `expected`: normalized match (equal to or contained in the answer, ignoring case, punctuation and spacing)',
    );
    expect(lines[2]).toBe('❌ #2 (1.5 s, 45 tokens): contains "bye": not found');
  });

  test('all passed', () => {
    expect(formatSuiteResult(result([pass(0), pass(1)]))).toBe('**2/2 passed** · p50 1.2 s · p95 2.0 s\nAll cases passed.');
  });

  test('model errors are counted and shown without an output line', () => {
    const text = formatSuiteResult(result([fail(0, { error: 'timeout', output: '', failures: ['model error: timeout'] }), pass(1)]));
    expect(text).toBe('**1/2 passed** · p50 1.2 s · p95 2.0 s · 1 error\n❌ #1: model error: timeout');
  });

  test('long output is cut to one line; backticks and mass mentions are defused', () => {
    const text = formatSuiteResult(result([fail(0, { output: `@everyone \`code\` ${'word '.repeat(100)}` })]));
    const quote = text.split('\n')[2] ?? '';
    expect(quote.startsWith('> @\u200beveryone ˋcodeˋ word')).toBe(true);
    expect(quote.endsWith('…')).toBe(true);
    expect(quote.length).toBeLessThanOrEqual(2 + 160);
    expect(text).not.toContain('`');
  });

  test('200 failing cases stay under 2000 characters and the rest are counted', () => {
    const cases = Array.from({ length: 200 }, (_, i) =>
      fail(i, {
        name: `case name ${'n'.repeat(100)}`,
        output: 'x'.repeat(5000),
        failures: Array.from({ length: 5 }, (_, k) => `regex /${'p'.repeat(300)}${k}/: no match`),
      }),
    );
    for (const maxFailures of [undefined, 5, 1000]) {
      const text = formatSuiteResult(result(cases), maxFailures === undefined ? {} : { maxFailures });
      expect(text.length).toBeLessThan(2000);
      expect(text.startsWith('**0/200 passed**')).toBe(true);
      const shown = text.split('\n').filter((l) => l.startsWith('❌')).length;
      expect(shown).toBeGreaterThan(0);
      expect(text).toMatch(new RegExp(`\\n… and ${200 - shown} more failing cases$`));
    }
    const five = formatSuiteResult(result(cases.map((c) => ({ ...c, output: 'short', failures: ['f'] }))), { maxFailures: 5 });
    expect(five.split('\n').filter((l) => l.startsWith('❌'))).toHaveLength(5);
    expect(five).toMatch(/… and 195 more failing cases$/);
  });

  test('seconds', () => {
    expect([seconds(0), seconds(49), seconds(1250), seconds(61_000)]).toEqual(['0.0 s', '0.0 s', '1.3 s', '61.0 s']);
  });
});
