import { describe, expect, test } from 'vitest';
import { createJudge, parseVerdict } from '../../../src/evaluation/judge.js';
import { gradingFor } from '../../../src/evaluation/session.js';
import { runSuite } from '../../../src/evaluation/run.js';
import type { TestCase } from '../../../src/evaluation/types.js';
import { ScriptedModel } from './fake-model.js';

describe('parseVerdict', () => {
  test('JSON verdicts, with or without surrounding text', () => {
    expect(parseVerdict('{"pass": true, "reason": "Polite and correct."}')).toEqual({ pass: true, reason: 'Polite and correct.' });
    expect(parseVerdict('Sure:\n```json\n{"pass": false, "reason": "Rude."}\n```')).toEqual({ pass: false, reason: 'Rude.' });
    expect(parseVerdict('{"pass": "yes"}')).toEqual({ pass: true, reason: '' });
  });

  test('a plain PASS/FAIL line is accepted; no verdict is an error', () => {
    expect(parseVerdict('FAIL: it never names the capital')).toEqual({ pass: false, reason: 'it never names the capital' });
    expect(parseVerdict('PASS')).toEqual({ pass: true, reason: '' });
    expect(() => parseVerdict('I think it is fine')).toThrow(/no verdict/);
  });
});

/** A model that answers questions and, when called as the judge, grades by a rule. */
function modelWithJudge(answers: Record<string, string>) {
  return new ScriptedModel((last, messages) => {
    if (messages[0]?.content.startsWith('You grade a chatbot answer')) {
      const polite = /please|thank/i.test(last.split('Answer to grade:\n')[1] ?? '');
      return JSON.stringify({ pass: polite, reason: polite ? 'It is polite.' : 'It is curt, no please or thanks.' });
    }
    return answers[last] ?? '';
  });
}

describe('judge assertion', () => {
  test('the judge gets the rubric, the conversation and the answer, with the configured judge model', async () => {
    const model = modelWithJudge({ hi: 'Hello, thank you for asking!' });
    const judge = createJudge(model, 'judge-model-x');
    const v = await judge.grade({
      rubric: 'The answer is polite.',
      conversation: [{ role: 'user', content: 'hi' }],
      answer: 'Hello, thank you for asking!',
    });
    expect(v).toEqual({ rubric: 'The answer is polite.', pass: true, reason: 'It is polite.' });
    const call = model.calls[0]!;
    expect(call.opts?.model).toBe('judge-model-x');
    expect(call.opts?.temperature).toBe(0);
    expect(call.messages[1]?.content).toContain('Rubric:\nThe answer is polite.');
    expect(call.messages[1]?.content).toContain('User: hi');
  });

  test("in a suite: pass and fail with the judge's reason in the failure and the result", async () => {
    const model = modelWithJudge({ a: 'Thanks for asking, it is 4.', b: '4.' });
    const suite: TestCase[] = [
      { input: 'a', assert: [{ type: 'judge', value: 'The answer is polite.' }] },
      { input: 'b', assert: [{ type: 'judge', value: 'The answer is polite.' }] },
    ];
    const r = await runSuite(model, suite, { grading: gradingFor({ model, judgeModel: 'grader' }) });
    expect(r.cases.map((c) => c.passed)).toEqual([true, false]);
    expect(r.cases[0]?.judgements).toEqual([{ rubric: 'The answer is polite.', pass: true, reason: 'It is polite.' }]);
    expect(r.cases[1]?.failures).toEqual(['judge "The answer is polite.": fail: It is curt, no please or thanks.']);
    const judgeCalls = model.calls.filter((c) => c.opts?.model === 'grader');
    expect(judgeCalls).toHaveLength(2);
  });

  test('a judge that errors or gives no verdict fails the check with the reason; without a judge the check says so', async () => {
    const model = new ScriptedModel((last, messages) => (messages[0]?.content.startsWith('You grade') ? 'hmm, hard to say' : 'x'));
    const suite: TestCase[] = [{ input: 'q', assert: [{ type: 'judge', value: 'Says x.' }] }];
    const r = await runSuite(model, suite, { grading: gradingFor({ model }) });
    expect(r.cases[0]?.failures[0]).toMatch(/^judge "Says x\.": judge failed: the judge gave no verdict/);
    const bare = await runSuite(model, suite);
    expect(bare.cases[0]?.failures).toEqual(['judge "Says x.": needs a judge model']);
  });
});
