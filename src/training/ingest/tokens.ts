/**
 * Token count of one chat example, the way OpenAI's chat fine-tuning data-preparation guide
 * estimates it: 3 tokens per message + the tokens of every value (+1 per `name`) + 3 for the reply
 * priming. Encoding: o200k_base (gpt-4o / gpt-4.1 family). Special-token text such as
 * `<|endoftext|>` is counted as ordinary text instead of throwing.
 *
 * The encoder (~70 MB RSS, ~0.2 s to load) is required on first use only, so importing the
 * ingest engine stays cheap and small examples (cleared by their byte size) never load it.
 */
import { createRequire } from 'node:module';
import type * as O200k from 'gpt-tokenizer/encoding/o200k_base';

const PER_MESSAGE = 3;
const PER_NAME = 1;
const PRIMING = 3;
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

const require = createRequire(import.meta.url);

function countTokens(text: string): number {
  const encoder = require('gpt-tokenizer/encoding/o200k_base') as typeof O200k;
  return encoder.countTokens(text, ENCODE_OPTIONS);
}

function valueText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return null;
}

function texts(messages: readonly Record<string, unknown>[]): { strings: string[]; overhead: number } {
  const strings: string[] = [];
  let overhead = PRIMING;
  for (const message of messages) {
    overhead += PER_MESSAGE;
    for (const [key, value] of Object.entries(message)) {
      const text = valueText(value);
      if (text === null) continue;
      strings.push(text);
      if (key === 'name') overhead += PER_NAME;
    }
  }
  return { strings, overhead };
}

/** Exact count as the guide estimates it. */
export function exampleTokens(messages: readonly Record<string, unknown>[]): number {
  const { strings, overhead } = texts(messages);
  return strings.reduce((sum, s) => sum + countTokens(s), overhead);
}

/**
 * The example's token count when it is over `limit`, else null. Every BPE token covers at least
 * one UTF-8 byte, so examples whose byte total fits are cleared without tokenizing.
 */
export function tokensOverLimit(messages: readonly Record<string, unknown>[], limit: number): number | null {
  const { strings, overhead } = texts(messages);
  const bound = strings.reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), overhead);
  if (bound <= limit) return null;
  const exact = strings.reduce((sum, s) => sum + countTokens(s), overhead);
  return exact > limit ? exact : null;
}
