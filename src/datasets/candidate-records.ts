/**
 * Feedback on a candidate reply becomes dataset records (OpenAI formats, see docs/DATA.md):
 * 👍 → positive, 👎 → negative, a better answer → positive (the correction) and preference.
 * Every record trains exactly one turn: earlier assistant turns kept for context carry
 * `"weight": 0`; a reply rated 👎 is dropped from the context and a corrected one reads as its
 * correction, whatever happened after the candidate was captured. The last turn carries
 * `"weight": 1` (in negative.jsonl it is the rejected reply: that file is never SFT data).
 */
import type { ChatMessage } from '../llm/port.js';
import { withReasoning } from '../conversation/reasoning.js';
import type { Candidate, Verdict } from './candidates.js';
import type { ChatRecord, PreferenceRecord } from './types.js';

/** An assistant message of a chat record with OpenAI's per-message training weight. */
type Weighted = ChatMessage & { weight?: 0 | 1 };
/** The verdict on an earlier reply, by its message ID. */
export type VerdictLookup = (messageId: string) => Verdict | undefined;

/** The candidate's context with earlier verdicts applied; assistant turns get `weight: 0` when `weighted`. */
export function recordContext(c: Candidate, verdictOf: VerdictLookup = () => undefined, weighted = true): Weighted[] {
  const out: Weighted[] = [];
  for (const [i, m] of c.context.entries()) {
    if (m.role !== 'assistant') {
      out.push({ ...m });
      continue;
    }
    const id = c.contextIds?.[i];
    const v = id ? verdictOf(id) : undefined;
    if (v?.kind === 'down') continue;
    const content = v?.kind === 'corrected' ? v.text : m.content;
    if (!content.trim()) continue;
    out.push(weighted ? { ...m, content, weight: 0 } : { ...m, content });
  }
  return out;
}

function final(content: string): Weighted {
  return { role: 'assistant', content, weight: 1 };
}

/** The reply as trained: with its reasoning block only when the candidate kept one (`reasoning.train`). */
function answer(c: Candidate): string {
  return withReasoning(c.reply, c.reasoning);
}

export function toPositive(c: Candidate, verdictOf?: VerdictLookup): ChatRecord {
  return { messages: [...recordContext(c, verdictOf), final(answer(c))] };
}

/** Same shape as a positive record; it goes to negative.jsonl. */
export function toNegative(c: Candidate, verdictOf?: VerdictLookup): ChatRecord {
  return { messages: [...recordContext(c, verdictOf), final(answer(c))] };
}

export function toCorrected(c: Candidate, betterAnswer: string, verdictOf?: VerdictLookup): ChatRecord {
  return { messages: [...recordContext(c, verdictOf), final(betterAnswer)] };
}

/** OpenAI DPO format: input without weights (DPO trains only the two outputs). */
export function toPreference(c: Candidate, betterAnswer: string, verdictOf?: VerdictLookup): PreferenceRecord {
  return {
    input: { messages: recordContext(c, verdictOf, false) },
    preferred_output: [{ role: 'assistant', content: betterAnswer }],
    non_preferred_output: [{ role: 'assistant', content: answer(c) }],
  };
}
