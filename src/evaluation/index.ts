/** Evaluation engine behind `!test` and `eos test <file>`: parse a suite, run it on a ChatModel, format and store results. */
export { parseSuite, MAX_SUITE_BYTES, MAX_JSON_DEPTH } from './parse.js';
export { MAX_CASES } from './schema.js';
export { runSuite, buildMessages, type RunOptions } from './run.js';
export { evaluate, gradingFor, type EvalDeps, type EvalOutcome, type EvalRequest } from './session.js';
export { compareResults, formatComparison, runComparison, type Comparison } from './compare.js';
export { chatPrompt, rawPrompt, type ChatPromptOptions, type PromptBuilder } from './prompt-path.js';
export { createJudge, parseVerdict, type Judge } from './judge.js';
export { embeddingSimilarity, gradeCase, type GradeDeps } from './grade.js';
export { formatCaseTable } from './report.js';
export { evalHistoryChart, shortModel } from './history.js';
export { parseTestRequest, type TestRequest } from './request.js';
export { validateSuite } from './schema.js';
export { offerSuiteComparison } from './offer.js';
export { checkAssertion, checkCase, caseAssertions, normalizedMatch } from './assertions.js';
export { compilePattern, safeRegexTest, MAX_PATTERN_LENGTH, MAX_REGEX_INPUT, REGEX_TIMEOUT_MS } from './regex.js';
export { formatSuiteResult, type FormatOptions } from './format.js';
export { ResultStore, type StoredResult } from './store.js';
export { latencyStats, percentile } from './stats.js';
export {
  ASSERTION_TYPES,
  BASE_ASSERTION_TYPES,
  DEFAULT_SIMILARITY_THRESHOLD,
  EXPECTED_CHECKS,
  type MatchMode,
  type Judgement,
  type TokenUsage,
  type Assertion,
  type AssertionType,
  type CaseResult,
  type LatencyStats,
  type ParseResult,
  type SuiteResult,
  type TestCase,
} from './types.js';
