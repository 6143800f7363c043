import { describe, expect, test } from 'vitest';
import { formatReport, type IngestReport } from '../../../src/training/ingest/index.js';
import { run, runText } from './helpers.js';

function report(over: Partial<IngestReport>): IngestReport {
  return { format: 'jsonl', accepted: 0, rejected: 0, errors: [], bytes: 10, ms: 1, ...over };
}

describe('formatReport', () => {
  test('success with rejections lists the first errors', () => {
    const text = formatReport(
      report({
        accepted: 41,
        rejected: 2,
        errors: [
          { line: 7, code: 'missing_content', message: 'message 2 has no content' },
          { line: 9, code: 'invalid_json', message: 'not valid JSON' },
        ],
      }),
      'positive',
      'default',
    );
    expect(text).toBe(
      'Added 41 examples to **default** (positive); rejected 2. First errors:\n- line 7: missing_content: message 2 has no content\n- line 9: invalid_json: not valid JSON',
    );
  });

  test('clean success and singular wording', () => {
    expect(formatReport(report({ accepted: 1 }), 'negative', 'mine')).toBe('Added 1 example to **mine** (negative).');
  });

  test('file-level problems read as one sentence', async () => {
    const empty = await runText('');
    expect(formatReport(empty.report, 'positive', 'default')).toBe(
      'Nothing added to **default** (positive): there is nothing to read (the input is empty).',
    );
    const binary = await run(Buffer.from([1, 2, 0, 3]), 'x.bin');
    expect(formatReport(binary.report, 'positive', 'd')).toMatch(/^Nothing added to \*\*d\*\* \(positive\): the file looks binary/);
    const big = report({ tooLarge: true, errors: [{ line: 0, code: 'too_large', message: 'the file is larger than 10 MiB' }] });
    expect(formatReport(big, 'positive', 'd')).toBe('Nothing added to **d** (positive): the file is larger than 10 MiB.');
    const partial = formatReport({ ...big, accepted: 500 }, 'positive', 'd');
    expect(partial).toBe('Stopped: the file is larger than 10 MiB. 500 examples read before the limit were added to **d** (positive).');
  });

  test('everything rejected, many long errors: stays under 2000 characters and marks the rest', () => {
    const errors = Array.from({ length: 20 }, (_, i) => ({ line: i + 1, code: 'message_unrecognized_key', message: `x`.repeat(400) }));
    const text = formatReport(report({ rejected: 20, errors }), 'positive', 'a'.repeat(64));
    expect(text.length).toBeLessThan(2000);
    expect(text.startsWith(`Nothing added to **${'a'.repeat(64)}** (positive); rejected 20. First errors:\n- line 1:`)).toBe(true);
    expect(text.endsWith('\n…')).toBe(true);
    const listed = text.split('\n').filter((l) => l.startsWith('- '));
    expect(listed.length).toBeGreaterThanOrEqual(5);
    expect(listed.length).toBeLessThanOrEqual(10);
    expect(listed.every((l) => l.length <= 180)).toBe(true);
  });
});
