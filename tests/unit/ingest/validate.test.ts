import { describe, expect, test } from 'vitest';
import { exampleTokens, validateRecord } from '../../../src/training/ingest/index.js';
import { chatLine, codes, run } from './helpers.js';

const U = { role: 'user', content: 'hi' };
const A = { role: 'assistant', content: 'hello' };

/** One bad record per case, placed on line 3 of a JSONL file between two good lines. */
const CASES: [code: string, record: unknown][] = [
  ['data_type', ['not', 'an', 'object']],
  ['data_type', { messages: [U, 'hello'] }],
  ['missing_messages_list', { prompt: 'hi', completion: 'hello' }],
  ['missing_messages_list', { messages: [] }],
  ['message_missing_key', { messages: [{ content: 'hi' }, A] }],
  ['message_unrecognized_key', { messages: [{ ...U, speaker: 'bob' }, A] }],
  ['unrecognized_role', { messages: [{ role: 'human', content: 'hi' }, A] }],
  ['missing_content', { messages: [U, { role: 'assistant' }] }],
  ['missing_content', { messages: [{ role: 'user', content: '   ' }, A] }],
  ['missing_content', { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }, A] }],
  ['example_missing_assistant_message', { messages: [U] }],
  ['unrecognized_key', { messages: [U, A], id: 7 }],
  ['unsupported_tool_message', { messages: [U, { role: 'assistant', tool_calls: [{ id: 'c1' }] }] }],
  ['unsupported_tool_message', { messages: [U, { role: 'tool', content: '42', tool_call_id: 'c1' }, A] }],
  ['invalid_name', { messages: [{ ...U, name: 5 }, A] }],
  ['invalid_weight', { messages: [U, { ...A, weight: 0.5 }] }],
];

describe('validation codes (OpenAI cookbook checks), each on the right line', () => {
  test.each(CASES)('%s', async (code, record) => {
    const text = [chatLine('a', 'b'), chatLine('c', 'd'), JSON.stringify(record), chatLine('e', 'f')].join('\n');
    const r = await run(text, 'x.jsonl');
    expect(r.report.accepted).toBe(3);
    expect(r.report.rejected).toBe(1);
    expect(codes(r)).toContain(`3:${code}`);
    expect(r.report.errors.every((e) => e.line === 3)).toBe(true);
  });

  test('token_limit_exceeded with a configurable limit, on the right line', async () => {
    const long = JSON.stringify({ messages: [U, { role: 'assistant', content: 'word '.repeat(200) }] });
    const r = await run([chatLine('a', 'b'), long].join('\n'), 'x.jsonl', { tokenLimit: 100 });
    expect([r.report.accepted, r.report.rejected]).toEqual([1, 1]);
    expect(codes(r)).toEqual(['2:token_limit_exceeded']);
    expect(r.report.errors[0]?.message).toMatch(/^2\d\d tokens, over the 100-token limit$/);
  });

  test('a record may carry several problems; one error per code', () => {
    const { record, errors } = validateRecord({ messages: [{ role: 'x' }, { role: 'y', content: '' }], extra: 1 }, 9);
    expect(record).toBeUndefined();
    expect(errors.map((e) => e.code).sort()).toEqual(
      ['example_missing_assistant_message', 'missing_content', 'unrecognized_key', 'unrecognized_role'].sort(),
    );
    expect(errors.every((e) => e.line === 9)).toBe(true);
    expect(errors.find((e) => e.code === 'missing_content')?.message).toBe('message 1 has no content');
  });
});

describe('accepted records', () => {
  test('keep role, content, name and weight; drop tools/refusal', () => {
    const { record, errors } = validateRecord(
      {
        messages: [
          { role: 'user', content: 'hi', name: 'Ana' },
          { role: 'assistant', content: 'yo', weight: 0, refusal: null },
        ],
        tools: [],
      },
      1,
    );
    expect(errors).toEqual([]);
    expect(record).toEqual({
      messages: [
        { role: 'user', content: 'hi', name: 'Ana' },
        { role: 'assistant', content: 'yo', weight: 0 },
      ],
    });
  });

  test('token count follows the cookbook estimate (3/message + values + 1/name + 3)', () => {
    const empty = exampleTokens([]);
    expect(empty).toBe(3);
    const one = exampleTokens([{ role: 'user', content: 'hi' }]);
    expect(one).toBe(3 + 3 + 1 + 1); // "user" and "hi" are one token each in o200k_base
    expect(exampleTokens([{ role: 'user', content: 'hi', name: 'x' }])).toBe(one + 1 + 1);
    expect(exampleTokens([{ role: 'user', content: '<|endoftext|>' }])).toBeGreaterThan(one);
  });
});
