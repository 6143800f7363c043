import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { compareResults, formatComparison, runComparison } from '../../../src/evaluation/compare.js';
import { comparisonOfferText } from '../../../src/evaluation/offer.js';
import { parseTestRequest } from '../../../src/evaluation/request.js';
import { evaluate } from '../../../src/evaluation/session.js';
import { ResultStore } from '../../../src/evaluation/store.js';
import type { TestCase } from '../../../src/evaluation/types.js';
import { ScriptedModel } from './fake-model.js';

const suite: TestCase[] = [
  { name: 'capital', input: 'capital of France?', expected: 'Paris' },
  { name: 'math', input: '2+2?', expected: '4' },
  { name: 'greeting', input: 'hi', assert: [{ type: 'icontains', value: 'hello' }] },
];

describe('compare', () => {
  test('runs the suite on both models and lists fixed and broken cases', async () => {
    const answers: Record<string, Record<string, string>> = {
      old: { 'capital of France?': 'Lyon', '2+2?': 'It is 4.', hi: 'Hello!' },
      new: { 'capital of France?': 'Paris is the capital.', '2+2?': 'It is 4.', hi: 'Yo.' },
    };
    // "old" fails the capital, "new" fixes it but breaks the greeting.
    const model = new ScriptedModel(() => '');
    model.complete = async (messages, opts) => {
      const last = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      model.calls.push({ messages, opts });
      return answers[opts?.model ?? '']?.[last] ?? '';
    };
    const cmp = await runComparison(model, suite, ['old', 'new']);
    expect([cmp.a.model, cmp.a.passed, cmp.b.model, cmp.b.passed]).toEqual(['old', 2, 'new', 2]);
    expect(cmp.fixed).toEqual([0]);
    expect(cmp.broken).toEqual([2]);
    const text = formatComparison(cmp);
    expect(text.split('\n')).toEqual([
      '**Compare** on 3 cases',
      '`old`: **2/3 passed** · p50 0.0 s',
      '`new`: **2/3 passed** · p50 0.0 s',
      '✅ Fixed by `new` (1): #1 capital',
      '❌ Broken by `new` (1): #3 greeting',
    ]);
  });

  test('compareResults on identical runs: nothing changed', () => {
    const r = {
      passed: 1,
      total: 1,
      latency: { p50: 0, p95: 0, mean: 0, max: 0 },
      startedAt: '',
      finishedAt: '',
      model: 'm',
      cases: [{ index: 0, passed: true, output: '', failures: [], latencyMs: 0 }],
    };
    const cmp = compareResults(r, { ...r, model: 'n' });
    expect([cmp.fixed, cmp.broken]).toEqual([[], []]);
    expect(formatComparison(cmp)).toContain('Fixed by `n`: none');
  });

  test('evaluate() stores both runs with their suite; the offer after a fine-tune names the last suite', async () => {
    const store = new ResultStore({ dir: await mkdtemp(path.join(tmpdir(), 'eos-evals-')) });
    expect(await comparisonOfferText(store, { newModel: 'ft:new', oldModel: 'base', prefix: '!' })).toBeNull();
    const model = new ScriptedModel(() => 'Paris');
    const chat = { systemTemplate: 's', botName: 'Eos', userName: 'U', server: 's', channel: 'c', fewShot: 0 };
    const out = await evaluate({ model, store, concurrency: 2, chat }, { suite, mode: 'raw', compare: ['base', 'ft:new'] });
    expect(out.kind).toBe('compare');
    expect((await store.list(5)).map((s) => s.result.model).sort()).toEqual(['base', 'ft:new']);
    expect(await store.lastSuite()).toEqual(suite);
    expect(await comparisonOfferText(store, { newModel: 'ft:new', oldModel: 'base', prefix: '!' })).toBe(
      '🧪 `ft:new` is ready. Run your last test suite (3 cases) on it against `base`:\n`!test --compare base ft:new last`',
    );
  });
});

describe('parseTestRequest', () => {
  test('flags, last, history and inline JSON', () => {
    expect(parseTestRequest('history')).toEqual({ kind: 'history' });
    expect(parseTestRequest('--compare gpt-a "ft:gpt-b:eos" last')).toEqual({
      kind: 'run',
      source: 'last',
      json: '',
      compare: ['gpt-a', 'ft:gpt-b:eos'],
    });
    expect(parseTestRequest('--raw [{"input":"a","expected":"b"}]')).toEqual({
      kind: 'run',
      source: 'inline',
      json: '[{"input":"a","expected":"b"}]',
      mode: 'raw',
    });
    expect(parseTestRequest(' --compare a b ')).toEqual({ kind: 'run', source: 'attachment', json: '', compare: ['a', 'b'] });
    expect(parseTestRequest('--compare onlyone')).toMatchObject({ kind: 'error' });
    expect(parseTestRequest('--compare a [{"input":"x"}]')).toMatchObject({ kind: 'error' });
  });
});
