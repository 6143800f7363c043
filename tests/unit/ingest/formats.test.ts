import { describe, expect, test } from 'vitest';
import { chatLine, chunked, codes, run, runText } from './helpers.js';

const USER_HI = { role: 'user', content: 'hi' };
const ASSISTANT_HELLO = { role: 'assistant', content: 'hello' };

describe('JSONL', () => {
  test('parses each line, skips blank lines, reports line numbers of bad lines', async () => {
    const text = [chatLine('hi', 'hello'), '', 'not json', chatLine('a', 'b'), '{"messages": ['].join('\r\n');
    const r = await run(text, 'data.jsonl');
    expect(r.report.format).toBe('jsonl');
    expect(r.records).toEqual([
      { messages: [USER_HI, ASSISTANT_HELLO] },
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
        ],
      },
    ]);
    expect([r.report.accepted, r.report.rejected]).toEqual([2, 2]);
    expect(codes(r)).toEqual(['3:invalid_json', '5:invalid_json']);
  });

  test('handles lines and multibyte characters split across 7-byte chunks', async () => {
    const text = `${chatLine('héllo ✓ 😀', 'ça va')}\n${chatLine('x', 'y')}\n`;
    const r = await run(chunked(text, 7), 'a.jsonl');
    expect(r.records.map((rec) => rec.messages[0]?.content)).toEqual(['héllo ✓ 😀', 'x']);
    expect(r.report.errors).toEqual([]);
    expect(r.report.bytes).toBe(Buffer.byteLength(text));
  });
});

describe('JSON array', () => {
  const pretty = JSON.stringify(
    [
      { messages: [USER_HI, ASSISTANT_HELLO] },
      {
        messages: [
          { role: 'user', content: 'tricky ] } , " \\ [ {' },
          { role: 'assistant', content: 'ok' },
        ],
      },
      42,
      { messages: [{ role: 'user', content: 'no reply' }] },
    ],
    null,
    2,
  );

  test('yields each top-level element with its start line, across tiny chunks', async () => {
    const r = await run(chunked(pretty, 5), 'data.json');
    expect(r.report.format).toBe('json-array');
    expect(r.records).toHaveLength(2);
    expect(r.records[1]?.messages[0]?.content).toBe('tricky ] } , " \\ [ {');
    // Element starts: line 2 ([ is line 1), 2nd element after 11 lines of the 1st, etc.
    const lines = pretty.split('\n');
    const line42 = lines.findIndex((l) => l.trim() === '42,') + 1;
    const line4th = lines.findIndex((l, i) => i > line42 - 1 && l.trim() === '{') + 1;
    expect(codes(r)).toEqual([`${line42}:data_type`, `${line4th}:example_missing_assistant_message`]);
  });

  test('a one-line array and an empty array', async () => {
    const one = await run(`[${chatLine('hi', 'hello')},${chatLine('a', 'b')}]`, null);
    expect([one.report.format, one.report.accepted, one.report.rejected]).toEqual(['json-array', 2, 0]);
    const empty = await run('[ ]', 'x.json');
    expect(codes(empty)).toEqual(['0:no_examples']);
  });

  test('an unclosed array, a broken element and trailing garbage are reported', async () => {
    const unclosed = await run(`[\n${chatLine('a', 'b')},\n${chatLine('c', 'd')}`, 'x.json');
    expect(unclosed.report.accepted).toBe(1);
    expect(codes(unclosed)).toEqual(['3:invalid_json']);
    const broken = await run(`[\n{"messages": [}],\n${chatLine('c', 'd')}\n] extra`, 'x.json');
    expect(broken.report.accepted).toBe(1);
    expect(codes(broken)).toEqual(['2:invalid_json', '4:invalid_json']);
  });
});

describe('CSV', () => {
  test('maps prompt/completion/system columns case-insensitively, quoted multi-line fields keep start lines', async () => {
    const csv =
      'System,PROMPT,Completion\r\n,hi,hello\r\n\r\n"Be brief.","line one\r\nline two","a ""quoted""\r\nanswer"\r\nsys,,missing prompt\r\n';
    const r = await run(csv, 'train.csv');
    expect(r.report.format).toBe('csv');
    expect(r.records).toEqual([
      { messages: [USER_HI, ASSISTANT_HELLO] },
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'line one\nline two' },
          { role: 'assistant', content: 'a "quoted"\nanswer' },
        ],
      },
    ]);
    expect(codes(r)).toEqual(['7:missing_content']);
    const tiny = await run(chunked(csv, 3), 'train.csv');
    expect(tiny.records).toEqual(r.records);
    expect(codes(tiny)).toEqual(codes(r));
  });

  test('input/output and question/answer headers, ; and tab delimiters', async () => {
    const a = await run('input;output\nq1;a1\nq2;a2\n', null);
    const b = await run('Question\tAnswer\nq1\ta1\n', 'qa.tsv');
    expect([a.report.format, a.report.accepted, b.report.accepted]).toEqual(['csv', 2, 1]);
    expect(b.records[0]?.messages).toEqual([
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
    ]);
  });

  test('missing columns and an unclosed quote are reported', async () => {
    const noCols = await run('foo,bar\n1,2\n', 'x.csv');
    expect(codes(noCols)).toEqual(['1:csv_missing_columns']);
    const unclosed = await run('prompt,completion\nq1,a1\n"q2,a2\nq3,a3\n', 'x.csv');
    expect(unclosed.report.accepted).toBe(1);
    expect(unclosed.report.errors.map((e) => e.code)).toEqual(['invalid_csv']);
    expect(unclosed.report.errors[0]?.message).toMatch(/quote/i);
  });
});

describe('plain text', () => {
  test('User:/Assistant: with multi-line turns, System:, blank lines between conversations', async () => {
    const text = [
      'System: You are terse.',
      'User: first line',
      'second line',
      'Assistant: reply',
      '',
      'Second paragraph of the reply.',
      '',
      'user: next conversation',
      '',
      'assistant: after a blank line',
    ].join('\n');
    const r = await runText(text);
    expect(r.report.format).toBe('text');
    expect(r.records).toEqual([
      {
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'first line\nsecond line' },
          { role: 'assistant', content: 'reply\n\nSecond paragraph of the reply.' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'next conversation' },
          { role: 'assistant', content: 'after a blank line' },
        ],
      },
    ]);
  });

  test('Q:/A: pairs, unlabelled text and a question without answer', async () => {
    const r = await runText('just a note\nmore note\n\nQ: 2+2?\nA: 4\n\nQ: 3+3?\nA: 6\n\nQ: unanswered\n');
    expect(r.records.map((x) => x.messages.map((m) => m.content))).toEqual([
      ['2+2?', '4'],
      ['3+3?', '6'],
    ]);
    expect([r.report.accepted, r.report.rejected]).toEqual([2, 2]);
    expect(codes(r)).toEqual(['1:text_unlabeled', '10:example_missing_assistant_message']);
  });
});
