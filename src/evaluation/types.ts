/**
 * Types of the evaluation engine behind `!test` and `eos test <file>`.
 *
 * Numbering: everything shown to people (parse errors, Discord replies) counts cases from 1, like a
 * person reading the file ("case 3" is the third case). `CaseResult.index` is the 0-based array index.
 */
import type { ChatMessage } from '../llm/port.js';

export const BASE_ASSERTION_TYPES = ['equals', 'contains', 'icontains', 'regex', 'similar'] as const;
export type BaseAssertionType = (typeof BASE_ASSERTION_TYPES)[number];
/** Every base type, plus its negation with a `not-` prefix (`not-contains`, ...). */
export type AssertionType = BaseAssertionType | `not-${BaseAssertionType}`;
export const ASSERTION_TYPES: readonly AssertionType[] = [
  ...BASE_ASSERTION_TYPES,
  ...BASE_ASSERTION_TYPES.map((t) => `not-${t}` as const),
];

export interface Assertion {
  type: AssertionType;
  /** Text to compare with; for `regex`, a pattern, either bare or as `/pattern/flags`. */
  value: string;
  /** Only for `similar` / `not-similar`: cosine similarity cut-off in [0, 1], default 0.8. */
  threshold?: number;
}

/**
 * One test case. Exactly one of `input` (a single user message) or `messages` (a whole conversation)
 * is required, and at least one of `expected` or `assert`.
 *
 * `expected` alone is a *similarity* check (bag-of-words cosine ≥ `threshold`, default 0.8) because
 * model answers rarely match a reference word for word; `"match": "exact"` makes it an `equals` check
 * instead (whole output, surrounding whitespace ignored).
 */
export interface TestCase {
  name?: string;
  /** System prompt for this case; wins over `RunOptions.systemPrompt`. */
  system?: string;
  input?: string;
  messages?: ChatMessage[];
  expected?: string;
  match?: 'exact' | 'similar';
  /** Threshold for `expected` when `match` is `similar` (default 0.8). */
  threshold?: number;
  assert?: Assertion[];
}

export type ParseResult = { ok: true; suite: TestCase[] } | { ok: false; error: string };

export interface CaseResult {
  /** 0-based position in the suite. */
  index: number;
  name?: string;
  passed: boolean;
  /** The model's answer ('' when the model failed). */
  output: string;
  /** One human-readable line per failed check (or the error). Empty when passed. */
  failures: string[];
  latencyMs: number;
  /** Set when the model call failed or timed out, or the case could not be run. */
  error?: string;
}

export interface LatencyStats {
  p50: number;
  p95: number;
  mean: number;
  max: number;
}

export interface SuiteResult {
  passed: number;
  total: number;
  /** Over the cases where the model answered (errors and timeouts are left out). Milliseconds. */
  latency: LatencyStats;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string;
  /** `ChatModel.description`. */
  model: string;
  cases: CaseResult[];
}

export const DEFAULT_SIMILARITY_THRESHOLD = 0.8;
