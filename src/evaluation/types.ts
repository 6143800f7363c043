/**
 * Types of the evaluation engine behind `!test` and `eos test <file>`.
 *
 * Numbering: everything shown to people (parse errors, Discord replies) counts cases from 1, like a
 * person reading the file ("case 3" is the third case). `CaseResult.index` is the 0-based array index.
 */
import type { ChatMessage } from '../llm/port.js';

export const BASE_ASSERTION_TYPES = ['equals', 'contains', 'icontains', 'regex', 'similar', 'matches'] as const;
export type BaseAssertionType = (typeof BASE_ASSERTION_TYPES)[number];
/**
 * Every base type, plus its negation with a `not-` prefix (`not-contains`, ...), plus `judge`: an LLM
 * grades the answer against the rubric in `value` and gives its reason (judge.ts).
 */
export type AssertionType = BaseAssertionType | `not-${BaseAssertionType}` | 'judge';
export const ASSERTION_TYPES: readonly AssertionType[] = [
  ...BASE_ASSERTION_TYPES,
  ...BASE_ASSERTION_TYPES.map((t) => `not-${t}` as const),
  'judge',
];

export interface Assertion {
  type: AssertionType;
  /** Text to compare with; for `regex`, a pattern, either bare or as `/pattern/flags`. */
  value: string;
  /** Only for `similar` / `not-similar`: cosine similarity cut-off in [0, 1], default 0.8. */
  threshold?: number;
}

/** How a case's `expected` is checked: see EXPECTED_CHECKS. */
export type MatchMode = 'auto' | 'exact' | 'contains' | 'similar';

/** What each `match` means, as stated in `!test` replies. */
export const EXPECTED_CHECKS: Record<MatchMode, string> = {
  auto: 'normalized match (equal to or contained in the answer, ignoring case, punctuation and spacing)',
  exact: 'exact (whole answer, surrounding spaces ignored)',
  contains: 'contains (case-sensitive substring)',
  similar: 'similar (embeddings when the endpoint has them, else words; threshold 0.8 unless given)',
};

/**
 * One test case. Exactly one of `input` (a single user message) or `messages` (a whole conversation)
 * is required, and at least one of `expected` or `assert`.
 *
 * `expected` alone is a *normalized match* (`matches`): after folding case, punctuation and spacing,
 * the expected words equal the answer's or appear in it as a run ("Paris" passes "Paris is the
 * capital."). `"match"` picks another check: `exact`, `contains`, or `similar` (with `threshold`).
 */
export interface TestCase {
  name?: string;
  /** System prompt for this case; wins over `RunOptions.systemPrompt`. */
  system?: string;
  input?: string;
  messages?: ChatMessage[];
  expected?: string;
  match?: MatchMode;
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
  /** Tokens of the model's answer, when the endpoint reports them. */
  usage?: TokenUsage;
  /** Every `judge` assertion's verdict and reason, in order. */
  judgements?: Judgement[];
  /** Set when the model call failed or timed out, or the case could not be run. */
  error?: string;
}

export interface TokenUsage {
  prompt: number;
  completion: number;
}

export interface Judgement {
  rubric: string;
  pass: boolean;
  reason: string;
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
  /** The model name asked for (compare runs, `train use`), else `ChatModel.description`. */
  model: string;
  cases: CaseResult[];
  /** 'chat' (system prompt and few-shot like a conversation) or 'raw' (the case's messages only). */
  mode?: 'chat' | 'raw';
  /** Token totals over the cases that reported usage. */
  usage?: TokenUsage;
  /** The cases as run, kept so that the last suite can be run again (compare after a fine-tune). */
  suite?: TestCase[];
}

export const DEFAULT_SIMILARITY_THRESHOLD = 0.8;
