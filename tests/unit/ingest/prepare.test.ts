/** The ingest hands every record through the dataset's sanitizer and the one validator (issue 8, items 4-5). */
import { describe, expect, test } from 'vitest';
import { checkChatRecord } from '../../../src/datasets/validate.js';
import { formatReport } from '../../../src/training/ingest/index.js';
import { runText } from './helpers.js';

const line = (v: unknown) => JSON.stringify(v);

describe('ingest + sanitize + validator', () => {
  test('IDs and mentions are scrubbed, not fatal; an all-digit name is dropped', async () => {
    const text = [
      line({
        messages: [
          { role: 'user', content: 'hi @123456789012345678 and <@!98765432109876543>', name: '123456789012345678' },
          { role: 'assistant', content: 'mail me: a.b@example.com' },
        ],
      }),
    ].join('\n');
    const r = await runText(text);
    expect([r.report.accepted, r.report.rejected]).toEqual([1, 0]);
    expect(r.records[0]).toEqual({
      messages: [
        { role: 'user', content: 'hi @user and @user' },
        { role: 'assistant', content: 'mail me: [email]' },
      ],
    });
  });

  test('a record ending with a user turn, or whose only answer has weight 0, is rejected on its line', async () => {
    const text = [
      line({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ],
      }),
      line({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
          { role: 'user', content: 'dangling' },
        ],
      }),
      line({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a', weight: 0 },
        ],
      }),
      line({
        messages: [
          { role: 'user', content: '\u200b\u0000' },
          { role: 'assistant', content: '\u200b' },
        ],
      }),
    ].join('\n');
    const r = await runText(text);
    expect([r.report.accepted, r.report.rejected]).toEqual([1, 3]);
    expect(r.report.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'last_message_not_assistant'],
      [3, 'no_trained_turn'],
      [4, 'missing_messages_list'],
    ]);
    for (const rec of r.records) expect(checkChatRecord(rec)).toEqual([]);
    expect(formatReport(r.report, 'positive', 'd')).toMatch(
      /^Added 1 example to \*\*d\*\* \(positive\); rejected 3\. First errors:\n- line 2: last_message_not_assistant/,
    );
  });

  test('weight on a user turn is dropped; weight 0 context turns are kept', async () => {
    const r = await runText(
      line({
        messages: [
          { role: 'user', content: 'q', weight: 1 },
          { role: 'assistant', content: 'old', weight: 0 },
          { role: 'user', content: 'q2' },
          { role: 'assistant', content: 'new', weight: 1 },
        ],
      }),
    );
    expect(r.records[0]).toEqual({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'old', weight: 0 },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'new', weight: 1 },
      ],
    });
  });
});
