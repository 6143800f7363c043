/** Privacy scrubbing in dataset texts (issue 8, item 5): total, configurable, on by default. */
import { describe, expect, test } from 'vitest';
import { scrubPrivate, toDatasetText } from '../../../src/conversation/sanitize.js';

describe('scrubPrivate / toDatasetText', () => {
  test.each([
    ['mail me at john.doe+x@example.co.uk now', 'mail me at [email] now'],
    ['call +49 30 1234567, (555) 123-4567 or 555-123-4567', 'call [phone], [phone] or [phone]'],
    ['id 123456789012345678, @400000000000000002 and <@123456789012345678>', 'id [id], @user and @user'],
    ['keys sk-proj-abcdefghijklmnop1234 ghp_abcdefghijklmnopqrstuvwxyz123456 Bearer abcdefghijklmnopqrstuvwx', 'keys [key] [key] Bearer [key]'],
    ['token=abcdefghijklmnop12345678 and api_key: "ABCDEFGHIJKLMNOPQRST"', 'token=[key] and api_key: [key]'],
    ['glued: see555-123-4567ok, isalice@example.com, x123456789012345678y', 'glued: see[phone]ok, [email], x[id]y'],
  ])('%s', (input, expected) => {
    expect(toDatasetText(input)).toBe(expected);
  });

  test('ordinary numbers, dates, times, versions and IPs stay', () => {
    const text = 'on 2024-01-15 10:30, v1.2.3, scores 10 20 30, 123456789, 3.14159, 192.168.1.20, task-management-system, <t:1700000000:F>';
    expect(toDatasetText(text)).toBe('on 2024-01-15 10:30, v1.2.3, scores 10 20 30, 123456789, 3.14159, 192.168.1.20, task-management-system, 2023-11-14 22:13 UTC');
  });

  test('configurable per kind; "@<snowflake>" is always replaced', () => {
    const text = 'a@b.example 555-123-4567 123456789012345678 @123456789012345678 sk-ABCDEFGHIJKLMNOPQRSTU';
    expect(scrubPrivate(text, { ids: false, emails: false, phones: false, keys: false })).toBe('a@b.example 555-123-4567 123456789012345678 @user sk-ABCDEFGHIJKLMNOPQRSTU');
    expect(toDatasetText(text, { privacy: { emails: false } })).toBe('a@b.example [phone] [id] @user [key]');
  });

  test('total and idempotent on hostile input (NUL, lone surrogates, huge)', () => {
    for (const s of ['\u0000', '\ud800', 'x'.repeat(200_000), '@'.repeat(10_000) + '1'.repeat(30), '<@>', '+'.repeat(1000)]) {
      const once = toDatasetText(s);
      expect(once).not.toContain('\u0000');
      expect(toDatasetText(once)).toBe(once);
    }
  });
});
