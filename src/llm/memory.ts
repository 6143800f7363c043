import type { ExampleMemory } from '../memory/examples.js';
import type { ChatMessage, ChatModel, CompletionOptions } from './port.js';

export const NO_MATCH_REPLY =
  "I'm not connected to a language model, and nothing in my training memory matches that yet. Teach me with `!train` or `!correct`.";

/** Strips the "Speaker: " label the conversation puts before user turns. */
function lastUserText(messages: ChatMessage[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  return (last?.content ?? '').replace(/^[^:\n]{1,64}:\s+/, '');
}

/**
 * The offline model used when no LLM endpoint is configured: answers with the stored example
 * (positive data or correction) closest to the last user message, or says plainly that it has none.
 */
export function createMemoryChatModel(memory: ExampleMemory, opts: { threshold?: number } = {}): ChatModel {
  const threshold = opts.threshold ?? 0.5;
  const answer = async (messages: ChatMessage[]): Promise<string> => {
    const [best] = await memory.search(lastUserText(messages), 1);
    return best && best.score >= threshold ? best.answer : NO_MATCH_REPLY;
  };
  return {
    description: 'training-memory (no LLM endpoint configured)',
    complete: (messages: ChatMessage[], _opts?: CompletionOptions) => answer(messages),
    async *stream(messages: ChatMessage[], _opts?: CompletionOptions) {
      yield await answer(messages);
    },
  };
}
