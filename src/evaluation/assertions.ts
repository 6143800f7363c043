/**
 * Checks a model answer against a case's assertions (the synchronous ones; grade.ts adds the judge
 * and embedding similarity). Semantics (all on the raw output):
 * - `equals`: same text once surrounding whitespace is trimmed on both sides; case-sensitive.
 * - `contains`: case-sensitive substring. `icontains`: case-insensitive substring.
 * - `regex`: see regex.ts (bare pattern or `/pattern/flags`; bounded and timed out).
 * - `matches`: normalized match: the value's words (case, punctuation and spacing folded) equal the
 *   output's or appear in it as a contiguous run; a value without words falls back to `icontains`.
 * - `similar`: bag-of-words cosine similarity (src/memory/similarity.ts) ≥ threshold (default 0.8);
 *   grade.ts uses embeddings instead when the endpoint has them.
 * - `not-<type>`: passes exactly when `<type>` fails; a regex that cannot run fails both forms.
 * A case's `expected` becomes `matches` by default, `equals` with `"match": "exact"`, `contains`
 * with `"contains"`, `similar` with `"similar"` (or a `threshold` alone).
 */
import { similarity, tokens } from '../memory/similarity.js';
import { safeRegexTest } from './regex.js';
import { DEFAULT_SIMILARITY_THRESHOLD, type Assertion, type BaseAssertionType, type TestCase } from './types.js';

const QUOTE_MAX = 80;

/** A case's checks: `expected` first (converted as described above), then `assert` in order. */
export function caseAssertions(c: TestCase): Assertion[] {
  const out: Assertion[] = [];
  if (c.expected !== undefined) out.push(expectedAssertion(c, c.expected));
  return out.concat(c.assert ?? []);
}

function expectedAssertion(c: TestCase, value: string): Assertion {
  const mode = c.match ?? (c.threshold !== undefined ? 'similar' : 'auto');
  if (mode === 'exact') return { type: 'equals', value };
  if (mode === 'contains') return { type: 'contains', value };
  if (mode === 'similar') return { type: 'similar', value, threshold: c.threshold ?? DEFAULT_SIMILARITY_THRESHOLD };
  return { type: 'matches', value };
}

/** Normalized match: `expected`'s words equal `output`'s, or appear in them as a contiguous run. */
export function normalizedMatch(output: string, expected: string): boolean {
  const want = tokens(expected);
  if (want.length === 0) return output.toLowerCase().includes(expected.trim().toLowerCase());
  const have = tokens(output);
  outer: for (let i = 0; i + want.length <= have.length; i++) {
    for (let j = 0; j < want.length; j++) if (have[i + j] !== want[j]) continue outer;
    return true;
  }
  return false;
}

/** Runs every check of a case; returns one failure line per failed check (empty: the case passed). */
export function checkCase(c: TestCase, output: string): string[] {
  const failures: string[] = [];
  const fromExpected = c.expected !== undefined ? 1 : 0;
  caseAssertions(c).forEach((a, i) => {
    const failure = checkAssertion(a, output);
    if (failure !== null) failures.push(i < fromExpected ? `expected → ${failure}` : failure);
  });
  return failures;
}

/** null when the assertion holds, else a short description of what failed. */
export function checkAssertion(a: Assertion, output: string): string | null {
  if (a.type === 'judge') return `judge ${describeValue('equals', a.value)}: needs a judge model`;
  const negated = a.type.startsWith('not-');
  const base = (negated ? a.type.slice(4) : a.type) as BaseAssertionType;
  const r = evaluate(base, a, output);
  if ('error' in r) return `${a.type} ${describeValue(base, a.value)}: ${r.error}`;
  if (r.holds !== negated) return null;
  const what = base === 'similar' ? `${negated ? '<' : '≥'} ${threshold(a).toFixed(2)} to ` : '';
  return `${a.type} ${what}${describeValue(base, a.value)}: ${r.detail}`;
}

type Evaluation = { holds: boolean; detail: string } | { error: string };

function evaluate(base: BaseAssertionType, a: Assertion, output: string): Evaluation {
  switch (base) {
    case 'equals': {
      const holds = output.trim() === a.value.trim();
      return { holds, detail: holds ? 'output is equal' : 'output differs' };
    }
    case 'contains': {
      const holds = output.includes(a.value);
      return { holds, detail: holds ? 'found' : 'not found' };
    }
    case 'icontains': {
      const holds = output.toLowerCase().includes(a.value.toLowerCase());
      return { holds, detail: holds ? 'found' : 'not found' };
    }
    case 'regex': {
      const r = safeRegexTest(a.value, output);
      if (!r.ok) return { error: r.error };
      return { holds: r.matched, detail: r.matched ? 'matched' : 'no match' };
    }
    case 'matches': {
      const holds = normalizedMatch(output, a.value);
      return { holds, detail: holds ? 'found' : 'not found (normalized)' };
    }
    case 'similar': {
      const score = similarity(output, a.value);
      return { holds: score >= threshold(a), detail: `similarity ${score.toFixed(2)} (words)` };
    }
  }
}

export function threshold(a: Assertion): number {
  return a.threshold ?? DEFAULT_SIMILARITY_THRESHOLD;
}

export function describeValue(base: BaseAssertionType, value: string): string {
  const short = value.length > QUOTE_MAX ? `${value.slice(0, QUOTE_MAX - 1)}…` : value;
  if (base === 'regex') return short.startsWith('/') ? short : `/${short}/`;
  return JSON.stringify(short);
}
