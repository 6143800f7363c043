/**
 * Few-shot examples for a prompt: the stored examples closest to the live question, as user/assistant
 * pairs, best one last (nearest the question). Shared by conversation replies and `!test` so that
 * evaluations see the prompt users get.
 */
import type { ChatMessage } from '../llm/port.js';
import type { ExampleMemory } from './examples.js';

/** Examples scoring below this (0..1) are not shown to the model. */
export const FEW_SHOT_MIN_SCORE = 0.35;

export async function fewShotMessages(
  memory: ExampleMemory,
  query: string,
  k: number,
  minScore = FEW_SHOT_MIN_SCORE,
): Promise<ChatMessage[]> {
  if (k <= 0 || !query.trim()) return [];
  const examples = await memory.search(query, k);
  return examples
    .filter((e) => e.score >= minScore)
    .reverse()
    .flatMap((e): ChatMessage[] => [
      { role: 'user', content: e.prompt },
      { role: 'assistant', content: e.answer },
    ]);
}
