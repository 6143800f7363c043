/** Evaluation engine behind `!test` and `eos test <file>`: parse a suite, run it on a ChatModel, format and store results. */
export { parseSuite, MAX_SUITE_BYTES, MAX_JSON_DEPTH } from './parse.js';
export { MAX_CASES } from './schema.js';
export { runSuite, buildMessages, type RunOptions } from './run.js';
export { checkAssertion, checkCase, caseAssertions } from './assertions.js';
export { compilePattern, safeRegexTest, MAX_PATTERN_LENGTH, MAX_REGEX_INPUT, REGEX_TIMEOUT_MS } from './regex.js';
export { formatSuiteResult, type FormatOptions } from './format.js';
export { ResultStore, type StoredResult } from './store.js';
export { latencyStats, percentile } from './stats.js';
export {
  ASSERTION_TYPES,
  BASE_ASSERTION_TYPES,
  DEFAULT_SIMILARITY_THRESHOLD,
  type Assertion,
  type AssertionType,
  type CaseResult,
  type LatencyStats,
  type ParseResult,
  type SuiteResult,
  type TestCase,
} from './types.js';
