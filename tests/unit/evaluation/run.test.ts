import { describe, expect, test } from 'vitest';
import { LlmError } from '../../../src/llm/port.js';
import { buildMessages, runSuite } from '../../../src/evaluation/run.js';
import type { TestCase } from '../../../src/evaluation/types.js';
import { ScriptedModel, TestClock } from './fake-model.js';

describe('runSuite', () => {
  test('runs every case, checks answers and keeps suite order', async () => {
    const model = ScriptedModel.table({ a: 'alpha', b: 'beta', c: 'gamma' });
    const suite: TestCase[] = [
      { name: 'first', input: 'a', expected: 'alpha', match: 'exact' },
      { input: 'b', assert: [{ type: 'contains', value: 'zeta' }] },
      { input: 'c', assert: [{ type: 'not-icontains', value: 'ALPHA' }] },
    ];
    const r = await runSuite(model, suite);
    expect(r.total).toBe(3);
    expect(r.passed).toBe(2);
    expect(r.model).toBe('fake:scripted');
    expect(r.cases.map((c) => [c.index, c.passed, c.output])).toEqual([
      [0, true, 'alpha'],
      [1, false, 'beta'],
      [2, true, 'gamma'],
    ]);
    expect(r.cases[0]?.name).toBe('first');
    expect(r.cases[1]?.failures).toEqual(['contains "zeta": not found']);
    expect(model.calls).toHaveLength(3);
    expect(model.calls.every((c) => c.opts?.temperature === 0 && c.opts.signal instanceof AbortSignal)).toBe(true);
  });

  test('a model error fails only that case, with its message', async () => {
    const model = ScriptedModel.table({ boom: new LlmError('http', 'upstream said 502', 502) }, 'fine');
    const suite: TestCase[] = [
      { input: 'one', expected: 'fine' },
      { input: 'boom', expected: 'fine' },
      { input: 'three', expected: 'fine' },
    ];
    const r = await runSuite(model, suite);
    expect(r.passed).toBe(2);
    expect(r.cases[1]).toMatchObject({ passed: false, output: '', error: 'upstream said 502' });
    expect(r.cases[1]?.failures).toEqual(['model error: upstream said 502']);
    expect(model.calls).toHaveLength(3);
  });

  test('a model that never answers times out and the suite continues', async () => {
    const model = ScriptedModel.table({ slow: 'hang' }, 'ok');
    const r = await runSuite(
      model,
      [
        { input: 'slow', expected: 'ok' },
        { input: 'x', expected: 'ok' },
      ],
      { timeoutMs: 30 },
    );
    expect(r.cases[0]?.error).toBe('no answer within 30 ms');
    expect(r.cases[1]?.passed).toBe(true);
    expect(model.calls[0]?.opts?.signal?.aborted).toBe(true);
  });

  test('latency stats come from the injected clock and skip failed calls', async () => {
    const clock = new TestClock();
    const ms = [100, 300, 200, 900, 400];
    const model = new ScriptedModel((input) => (input === 'err' ? new Error('nope') : { text: 'ok', ms: ms[Number(input)] ?? 0 }), clock);
    const suite: TestCase[] = [...ms.map((_, i) => ({ input: String(i), expected: 'ok' })), { input: 'err', expected: 'ok' }];
    const start = clock.t;
    const r = await runSuite(model, suite, { concurrency: 1, now: clock.now });
    expect(r.cases.map((c) => c.latencyMs)).toEqual([100, 300, 200, 900, 400, 0]);
    expect(r.latency).toEqual({ p50: 300, p95: 900, mean: 380, max: 900 });
    expect(r.startedAt).toBe(new Date(start).toISOString());
    expect(r.finishedAt).toBe(new Date(start + 1900).toISOString());
  });

  test('concurrency bounds calls in flight; progress is reported per case', async () => {
    const model = ScriptedModel.table({}, 'ok');
    const suite = Array.from({ length: 7 }, (_, i) => ({ input: `q${i}`, expected: 'ok' }));
    const progress: [number, number][] = [];
    const r = await runSuite(model, suite, { concurrency: 3, onProgress: (d, t) => void progress.push([d, t]) });
    expect(r.passed).toBe(7);
    expect(model.maxInFlight).toBe(3);
    expect(progress).toEqual(Array.from({ length: 7 }, (_, i) => [i + 1, 7]));
    const two = ScriptedModel.table({}, 'ok');
    await runSuite(two, suite);
    expect(two.maxInFlight).toBe(2);
  });

  test('a throwing or rejecting progress callback does not break the run', async () => {
    const model = ScriptedModel.table({}, 'ok');
    const suite = [
      { input: 'a', expected: 'ok' },
      { input: 'b', expected: 'ok' },
    ];
    const r1 = await runSuite(model, suite, {
      onProgress: () => {
        throw new Error('discord down');
      },
    });
    const r2 = await runSuite(model, suite, {
      onProgress: async () => {
        throw new Error('discord down');
      },
    });
    expect([r1.passed, r2.passed]).toEqual([2, 2]);
  });

  test('temperature and system prompt options reach the model', async () => {
    const model = ScriptedModel.table({}, 'ok');
    await runSuite(
      model,
      [
        { input: 'a', expected: 'ok' },
        { input: 'b', system: 'own', expected: 'ok' },
      ],
      {
        temperature: 0.7,
        systemPrompt: 'global',
        concurrency: 1,
      },
    );
    expect(model.calls.map((c) => [c.opts?.temperature, c.messages[0]?.content])).toEqual([
      [0.7, 'global'],
      [0.7, 'own'],
    ]);
  });
});

describe('buildMessages', () => {
  test('input becomes a user message after the system prompt', () => {
    expect(buildMessages({ input: 'hi' }, 'sys')).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'hi' },
    ]);
    expect(buildMessages({ input: 'hi' })).toEqual([{ role: 'user', content: 'hi' }]);
  });

  test('messages keep their own system message; the case system wins over the default', () => {
    const messages = [
      { role: 'system' as const, content: 'inner' },
      { role: 'user' as const, content: 'u', name: 'Ann' },
    ];
    expect(buildMessages({ messages }, 'default')).toEqual(messages);
    expect(buildMessages({ messages: messages.slice(1), system: 'case' }, 'default')).toEqual([
      { role: 'system', content: 'case' },
      { role: 'user', content: 'u', name: 'Ann' },
    ]);
  });

  test('a case without input fails on its own', async () => {
    expect(buildMessages({ expected: 'x' })).toBeNull();
    const model = ScriptedModel.table({}, 'x');
    const r = await runSuite(model, [{ expected: 'x' }, { input: 'a', expected: 'x' }]);
    expect(r.cases[0]).toMatchObject({ passed: false, error: 'case has no "input" or "messages"' });
    expect(r.cases[1]?.passed).toBe(true);
    expect(model.calls).toHaveLength(1);
  });
});
