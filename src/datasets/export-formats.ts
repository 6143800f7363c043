/**
 * Dataset records in the formats open trainers read directly:
 * - `trl`: Hugging Face TRL conversational. SFT `{"messages": [{role, content}]}` (every assistant turn is trained,
 *   as TRL's assistant-only loss does); DPO `{"prompt": [...], "chosen": [assistant], "rejected": [assistant]}`.
 * - `trl-completion`: TRL conversational prompt-completion `{"prompt": [...], "completion": [last assistant]}`: only
 *   the final reply is trained, so context turns Eos marked `weight: 0` are never learned (the local trainer's default).
 * - `sharegpt`: `{"conversations": [{"from": "system"|"human"|"gpt", "value"}]}`; preference pairs add
 *   `"chosen"`/`"rejected"` `{from: "gpt", value}` (the layout LLaMA-Factory and axolotl read).
 * - `openai`: the records as stored (OpenAI chat / preference fine-tuning format).
 * Speaker names (`name`) and weights are dropped from the open formats; the content is already sanitized.
 */
import type { ChatMessage } from '../llm/port.js';
import type { ChatRecord, PreferenceRecord } from './types.js';

export const EXPORT_FORMATS = ['openai', 'trl', 'trl-completion', 'sharegpt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

type Plain = { role: string; content: string };
const plain = (m: { role: string; content: unknown }): Plain => ({ role: m.role, content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content) });
const FROM: Record<string, string> = { system: 'system', user: 'human', assistant: 'gpt' };
const share = (m: Plain) => ({ from: FROM[m.role] ?? m.role, value: m.content });

export function chatToFormat(record: ChatRecord, format: ExportFormat): unknown {
  if (format === 'openai') return record;
  const messages = record.messages.map(plain);
  if (format === 'trl') return { messages };
  if (format === 'sharegpt') return { conversations: messages.map(share) };
  const last = messages.findLastIndex((m) => m.role === 'assistant');
  return { prompt: messages.slice(0, last), completion: [messages[last]!] };
}

export function preferenceToFormat(record: PreferenceRecord, format: ExportFormat): unknown {
  if (format === 'openai') return record;
  const prompt = record.input.messages.map((m: ChatMessage) => plain(m));
  const chosen = record.preferred_output.map(plain);
  const rejected = record.non_preferred_output.map(plain);
  if (format === 'sharegpt') return { conversations: prompt.map(share), chosen: share(chosen[0]!), rejected: share(rejected[0]!) };
  return { prompt, chosen, rejected };
}

/** One record of `file` (positive/negative hold chat records, preference holds pairs) in `format`. */
export function recordToFormat(record: unknown, file: 'positive' | 'negative' | 'preference', format: ExportFormat): unknown {
  return file === 'preference' ? preferenceToFormat(record as PreferenceRecord, format) : chatToFormat(record as ChatRecord, format);
}
