/**
 * Feedback on a candidate reply becomes a dataset record (OpenAI formats):
 * 👍 → positive (context + reply), 👎 → negative (context + reply), a better answer →
 * corrected (context + better answer, a positive record) and preference (better vs. given reply).
 */
import type { ChatMessage } from '../llm/port.js';
import type { Candidate } from './candidates.js';
import type { ChatRecord, PreferenceRecord } from './types.js';

function context(c: Candidate): ChatMessage[] {
  return c.context.map((m) => ({ ...m }));
}

function assistant(content: string): ChatMessage {
  return { role: 'assistant', content };
}

export function toPositive(c: Candidate): ChatRecord {
  return { messages: [...context(c), assistant(c.reply)] };
}

/** Same shape as a positive record; it goes to negative.jsonl. */
export function toNegative(c: Candidate): ChatRecord {
  return { messages: [...context(c), assistant(c.reply)] };
}

export function toCorrected(c: Candidate, betterAnswer: string): ChatRecord {
  return { messages: [...context(c), assistant(betterAnswer)] };
}

export function toPreference(c: Candidate, betterAnswer: string): PreferenceRecord {
  return {
    input: { messages: context(c) },
    preferred_output: [assistant(betterAnswer)],
    non_preferred_output: [assistant(c.reply)],
  };
}
