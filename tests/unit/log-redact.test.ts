import { describe, expect, test } from 'vitest';
import { createRedactor } from '../../src/log-redact.js';
import { formatCompact } from '../../src/log-console.js';

const S = 'super-secret-value';

describe('createRedactor', () => {
  const r = createRedactor([S, '']);

  test('replaces whole string values that contain a secret, keeps others', () => {
    expect(r.value(`a ${S} b`)).toBe('[redacted]');
    expect(r.value({ a: 'fine', b: [1, { c: S }], d: null, e: 3 })).toEqual({ a: 'fine', b: [1, { c: '[redacted]' }], d: null, e: 3 });
  });

  test('errors keep type and stack frames, lose the secret (also in cause and errors)', () => {
    class MyError extends Error {}
    const err = new MyError(`bad ${S}`, { cause: new Error(S) });
    const out = r.value(err) as Error & { cause: Error };
    expect(out).toBeInstanceOf(MyError);
    expect(out.message).toBe('[redacted]');
    expect(out.stack).not.toContain(S);
    expect(out.stack).toContain('log-redact.test.ts');
    expect(out.cause.message).toBe('[redacted]');
    const agg = r.value(new AggregateError([new Error(S)], 'many')) as AggregateError;
    expect((agg.errors[0] as Error).message).toBe('[redacted]');
    expect(err.message).toContain(S); // the original is untouched
  });

  test('handles cycles, toJSON and huge graphs', () => {
    const a: Record<string, unknown> = { name: S };
    a.self = a;
    const out = r.value(a) as Record<string, unknown>;
    expect(out.name).toBe('[redacted]');
    expect(out.self).toBe(out);
    class Thing {
      toJSON() {
        return { id: 1, token: S };
      }
    }
    expect(r.value({ t: new Thing() })).toEqual({ t: { id: 1, token: '[redacted]' } });
    const big = Array.from({ length: 10_000 }, (_, i) => ({ i }));
    const arr = r.value(big) as unknown[];
    expect(arr).toContain('[truncated]');
  });

  test('line() cuts secrets out of serialized text, including JSON-escaped ones', () => {
    const q = createRedactor(['ab"cd']);
    expect(q.line(JSON.stringify({ x: 'zz ab"cd zz' }))).toBe('{"x":"zz [redacted] zz"}');
    expect(r.line(`x ${S} y ${S}`)).toBe('x [redacted] y [redacted]');
  });

  test('no secrets: values pass through unchanged', () => {
    const none = createRedactor([]);
    const obj = { a: 1 };
    expect(none.active).toBe(false);
    expect(none.value(obj)).toBe(obj);
  });
});

describe('formatCompact', () => {
  test('prints level, module, message, extra fields and error stack', () => {
    const line = JSON.stringify({
      level: 50,
      time: '2025-01-02T03:04:05.678Z',
      pid: 1,
      module: 'llm',
      msg: 'failed',
      status: 500,
      err: { type: 'Error', message: 'x', stack: 'Error: x\n    at f (a.ts:1:1)' },
    });
    expect(formatCompact(line)).toBe('03:04:05.678 ERROR [llm] failed {"status":500}\n    Error: x\n        at f (a.ts:1:1)\n');
    expect(formatCompact('not json')).toBe('not json\n');
  });
});

describe('personal data in log lines (issue 8)', () => {
  test('e-mails, phone numbers and keys become placeholders; IDs, times and sizes stay', () => {
    const r = createRedactor([]);
    const line = JSON.stringify({
      time: 1733461234567,
      msg: 'mail bob@example.com, call +1 555 123 4567, key sk-proj-ABCDEFGHIJKLMNOPQRST123',
      channel: '123456789012345678',
      bytes: 10485761,
    });
    const out = r.line(line);
    expect(out).toContain('[email]');
    expect(out).toContain('[phone]');
    expect(out).toContain('[key]');
    expect(out).not.toMatch(/bob@example|555 123|sk-proj/);
    expect(out).toContain('"channel":"123456789012345678"');
    expect(out).toContain('"time":1733461234567');
    expect(out).toContain('"bytes":10485761');
  });
});
