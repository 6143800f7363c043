/** Turns zod issues into short, human-readable problems that always name the offending key. */
import type { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Dotted key (config file) or env variable name of the first problem, '' when not key-specific. */
  readonly key: string;
  constructor(message: string, key = '') {
    super(message);
    this.key = key;
  }
}

export interface Problem {
  key: string;
  text: string;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function got(issue: z.core.$ZodIssue): string {
  return 'input' in issue ? ` (got ${show(issue.input)})` : '';
}

function sizeText(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, bound: number | bigint): string {
  const big = issue.code === 'too_big';
  const op = big ? (issue.inclusive ? '<=' : '<') : issue.inclusive ? '>=' : '>';
  if (issue.origin === 'string') return `must have ${big ? 'at most' : 'at least'} ${bound} character(s)`;
  if (issue.origin === 'array') return `must have ${big ? 'at most' : 'at least'} ${bound} item(s)`;
  return `must be ${op} ${bound}`;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      return sizeText(issue, issue.maximum) + got(issue);
    case 'too_small':
      return sizeText(issue, issue.minimum) + got(issue);
    case 'invalid_type':
      return `must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}${got(issue)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join('|')}${got(issue)}`;
    case 'invalid_format':
      return issue.format === 'url' ? `must be a URL${got(issue)}` : `must be a valid ${issue.format}${got(issue)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}${got(issue)}`;
    default:
      return issue.message;
  }
}

function keyOf(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** One Problem per issue; unrecognized keys become one problem per unknown key. */
export function problemsOf(error: z.ZodError): Problem[] {
  const out: Problem[] = [];
  for (const issue of error.issues) {
    const base = keyOf(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ key: base ? `${base}.${k}` : k, text: 'is not a known key' });
    } else {
      out.push({ key: base || '(root)', text: describe(issue) });
    }
  }
  return out;
}
