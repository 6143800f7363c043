/** Converts port messages to the Chat Completions wire format. */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatMessage } from './port.js';

const NAME_MAX = 64;

/**
 * OpenAI rejects message names containing whitespace or any of `<|\/>`; display names often have spaces.
 * Returns undefined when nothing usable is left.
 */
export function sanitizeName(name: string): string | undefined {
  const clean = name
    .trim()
    .replace(/[\s<|\\/>]+/g, '_')
    .slice(0, NAME_MAX);
  return clean === '' ? undefined : clean;
}

export function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  const name = message.name === undefined ? undefined : sanitizeName(message.name);
  const extra = name === undefined ? {} : { name };
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content, ...extra };
    case 'assistant':
      return { role: 'assistant', content: message.content, ...extra };
    case 'user':
      return { role: 'user', content: message.content, ...extra };
  }
}
