/**
 * Secret scrubbing for logs. `value()` deep-copies anything about to be logged, replacing every string that
 * equals or contains a secret with '[redacted]' (stack traces keep their frames, only the secret is cut out).
 * `line()` is the last line of defence on serialized output: it cuts out any secret that still slipped through, and
 * replaces e-mail addresses, phone numbers and API keys/tokens by placeholders (conversation/sanitize.ts scrubPrivate).
 */
import { scrubPrivate } from './conversation/sanitize.js';

export const REDACTED = '[redacted]';
/** Personal data in log lines: e-mails, phone numbers and keys become placeholders. IDs stay (logs need channel/message IDs). */
const LOG_PII = { ids: false, emails: true, phones: true, keys: true } as const;
const MAX_DEPTH = 12;
/** Max objects visited per log call, so logging a huge object graph stays cheap. */
const MAX_NODES = 5000;

export interface Redactor {
  readonly active: boolean;
  value(v: unknown): unknown;
  line(s: string): string;
}

type Seen = Map<object, unknown>;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export function createRedactor(secretList: readonly string[] = []): Redactor {
  const secrets = [...new Set(secretList.filter((s) => typeof s === 'string' && s.length > 0))];
  // JSON-escaped forms too, so `line()` also catches secrets containing quotes/backslashes.
  const needles = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))];
  const hit = (s: string): boolean => secrets.some((secret) => s.includes(secret));
  const cut = (s: string): string => needles.reduce((acc, n) => acc.split(n).join(REDACTED), s);

  function redactError(err: Error, seen: Seen, depth: number): Error {
    const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
    seen.set(err, copy);
    const define = (key: string, value: unknown) =>
      Object.defineProperty(copy, key, { value, enumerable: false, writable: true, configurable: true });
    define('message', hit(err.message) ? REDACTED : err.message);
    if (typeof err.stack === 'string') define('stack', cut(err.stack));
    if (err.name !== (Object.getPrototypeOf(err) as Error | null)?.name) define('name', walk(err.name, seen, depth + 1));
    if ('cause' in err) define('cause', walk(err.cause, seen, depth + 1));
    if (err instanceof AggregateError) define('errors', walk(err.errors, seen, depth + 1));
    for (const [k, v] of Object.entries(err)) (copy as unknown as Record<string, unknown>)[k] = walk(v, seen, depth + 1);
    return copy;
  }

  function redactObject(obj: object, seen: Seen, depth: number): unknown {
    if (Array.isArray(obj)) {
      const out: unknown[] = [];
      seen.set(obj, out);
      for (const item of obj) out.push(walk(item, seen, depth + 1));
      return out;
    }
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (!isPlainObject(obj) && typeof toJSON === 'function') return walk(toJSON.call(obj), seen, depth + 1);
    const out: Record<string, unknown> = {};
    seen.set(obj, out);
    for (const [k, v] of Object.entries(obj)) out[k] = walk(v, seen, depth + 1);
    return out;
  }

  function walk(v: unknown, seen: Seen, depth: number): unknown {
    if (typeof v === 'string') return hit(v) ? REDACTED : v;
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (depth > MAX_DEPTH) return '[too deep]';
    if (seen.size >= MAX_NODES) return '[truncated]';
    if (v instanceof Error) return redactError(v, seen, depth);
    return redactObject(v, seen, depth);
  }

  return {
    active: secrets.length > 0,
    value: (v) => (secrets.length > 0 ? walk(v, new Map(), 0) : v),
    line: (s) => scrubPrivate(secrets.length > 0 && needles.some((n) => s.includes(n)) ? cut(s) : s, LOG_PII),
  };
}
