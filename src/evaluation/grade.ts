/**
 * Grades one answer against all of a case's checks, including those that need another call:
 * `judge` (judge.ts) and `similar` by embeddings (when an Embedder is given and the endpoint has
 * them; otherwise, or after the endpoint says it has none, by words as in assertions.ts).
 */
import { cosineSimilarity, type Embedder } from '../llm/embeddings.js';
import type { ChatMessage } from '../llm/port.js';
import { caseAssertions, checkAssertion, describeValue, threshold } from './assertions.js';
import type { Judge } from './judge.js';
import type { Assertion, Judgement, TestCase } from './types.js';

export interface GradeDeps {
  judge?: Judge;
  /** Semantic similarity for `similar`; see embeddingSimilarity. */
  similarity?: (a: string, b: string) => Promise<number | null>;
}

export interface Grade {
  failures: string[];
  judgements: Judgement[];
}

export async function gradeCase(
  c: TestCase,
  conversation: ChatMessage[],
  output: string,
  deps: GradeDeps,
  signal?: AbortSignal,
): Promise<Grade> {
  const failures: string[] = [];
  const judgements: Judgement[] = [];
  const fromExpected = c.expected !== undefined ? 1 : 0;
  const all = caseAssertions(c);
  for (let i = 0; i < all.length; i++) {
    const a = all[i]!;
    let failure: string | null;
    if (a.type === 'judge' && deps.judge) failure = await judged(a, deps.judge, conversation, output, judgements, signal);
    else if ((a.type === 'similar' || a.type === 'not-similar') && deps.similarity) failure = await semantic(a, output, deps.similarity);
    else failure = checkAssertion(a, output);
    if (failure !== null) failures.push(i < fromExpected ? `expected → ${failure}` : failure);
  }
  return { failures, judgements };
}

async function judged(
  a: Assertion,
  judge: Judge,
  conversation: ChatMessage[],
  answer: string,
  out: Judgement[],
  signal?: AbortSignal,
): Promise<string | null> {
  const label = `judge ${describeValue('equals', a.value)}`;
  try {
    const verdict = await judge.grade({ rubric: a.value, conversation, answer, signal });
    out.push(verdict);
    return verdict.pass ? null : `${label}: fail: ${verdict.reason || 'no reason given'}`;
  } catch (err) {
    return `${label}: judge failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function semantic(a: Assertion, output: string, similarity: NonNullable<GradeDeps['similarity']>): Promise<string | null> {
  const score = await similarity(output, a.value).catch(() => null);
  if (score === null) return checkAssertion(a, output);
  const negated = a.type === 'not-similar';
  if (score >= threshold(a) !== negated) return null;
  return `${a.type} ${negated ? '<' : '≥'} ${threshold(a).toFixed(2)} to ${describeValue('similar', a.value)}: similarity ${score.toFixed(2)} (embeddings)`;
}

/**
 * Cosine similarity of two texts' embeddings, or null (caller falls back to words) when the call
 * fails; an endpoint without embeddings is not asked again.
 */
export function embeddingSimilarity(embedder: Embedder): (a: string, b: string) => Promise<number | null> {
  let off = false;
  return async (a, b) => {
    if (off || !a.trim() || !b.trim()) return null;
    try {
      const [va, vb] = await embedder.embed([a, b]);
      return va && vb ? cosineSimilarity(va, vb) : null;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'unavailable') off = true;
      return null;
    }
  };
}
