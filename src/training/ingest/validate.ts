/**
 * Per-example checks of OpenAI's "Data preparation and analysis for chat model fine-tuning"
 * cookbook guide (data_type, missing_messages_list, message_missing_key, message_unrecognized_key,
 * unrecognized_role, missing_content, example_missing_assistant_message, token limit), plus
 * `unrecognized_key` for unknown top-level keys. Eos-specific: tool/function messages are valid
 * OpenAI data but can't be stored as Eos ChatRecords (text-only system/user/assistant), so they
 * are refused as `unsupported_tool_message`; `name` must be a string and `weight` 0 or 1.
 */
import type { ChatMessage, ChatRole } from '../../llm/port.js';
import type { ChatRecord } from '../../datasets/types.js';
import { tokensOverLimit } from './tokens.js';
import { DEFAULT_TOKEN_LIMIT, isRecordObject, type IngestError } from './types.js';

const RECORD_KEYS = new Set(['messages', 'tools', 'parallel_tool_calls']);
const MESSAGE_KEYS = new Set(['role', 'content', 'name', 'function_call', 'weight', 'tool_calls', 'tool_call_id', 'refusal']);
const ROLES = new Set(['system', 'user', 'assistant', 'function', 'tool']);
const TEXT_ROLES = new Set(['system', 'user', 'assistant']);

/** A stored message may keep OpenAI's per-message training `weight` (0 or 1). */
export type IngestedMessage = ChatMessage & { weight?: 0 | 1 };

export interface Validation {
  record?: ChatRecord;
  errors: IngestError[];
}

/** Collects at most one error per code for one example. */
class Problems {
  readonly list: IngestError[] = [];
  constructor(private readonly line: number) {}
  add(code: string, message: string): void {
    if (!this.list.some((e) => e.code === code)) this.list.push({ line: this.line, code, message });
  }
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 32 ? `${text.slice(0, 32)}…` : text);
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}

function checkContent(m: Record<string, unknown>, n: number, p: Problems): void {
  const hasCall = (m.tool_calls ?? m.function_call) != null;
  const content = m.content;
  if (content != null && typeof content !== 'string') p.add('missing_content', `message ${n} content is not a string`);
  else if (!hasCall && content == null) p.add('missing_content', `message ${n} has no content`);
  else if (!hasCall && typeof content === 'string' && content.trim() === '') p.add('missing_content', `message ${n} has empty content`);
}

function checkRole(m: Record<string, unknown>, n: number, p: Problems): void {
  if (!('role' in m)) p.add('message_missing_key', `message ${n} has no role`);
  else if (typeof m.role !== 'string' || !ROLES.has(m.role))
    p.add('unrecognized_role', `message ${n} has unrecognized role ${show(m.role)}`);
  else if (!TEXT_ROLES.has(m.role)) p.add('unsupported_tool_message', `message ${n}: ${m.role} messages are not supported`);
}

function checkMessage(m: unknown, n: number, p: Problems): void {
  if (!isRecordObject(m)) return p.add('data_type', `message ${n} is ${kind(m)}, not an object`);
  const unknown = Object.keys(m).find((k) => !MESSAGE_KEYS.has(k));
  if (unknown !== undefined) p.add('message_unrecognized_key', `message ${n} has unrecognized key ${show(unknown)}`);
  checkRole(m, n, p);
  checkContent(m, n, p);
  if ((m.tool_calls ?? m.function_call ?? m.tool_call_id) != null) {
    p.add('unsupported_tool_message', `message ${n}: tool/function calls are not supported`);
  }
  if (m.name !== undefined && typeof m.name !== 'string') p.add('invalid_name', `message ${n} name is not a string`);
  if (m.weight !== undefined && m.weight !== 0 && m.weight !== 1) p.add('invalid_weight', `message ${n} weight must be 0 or 1`);
}

function normalize(messages: Record<string, unknown>[]): ChatRecord {
  return {
    messages: messages.map((m) => {
      const out: IngestedMessage = { role: m.role as ChatRole, content: m.content as string };
      if (typeof m.name === 'string') out.name = m.name;
      if (m.weight === 0 || m.weight === 1) out.weight = m.weight;
      return out;
    }),
  };
}

/**
 * Validates one example. Returns the normalized record (role, content, name?, weight?) when it has
 * no errors; `tools`/`parallel_tool_calls` are accepted but dropped (no tool messages are kept).
 */
export function validateRecord(rec: unknown, line: number, tokenLimit = DEFAULT_TOKEN_LIMIT): Validation {
  const p = new Problems(line);
  if (!isRecordObject(rec)) {
    p.add('data_type', `expected a JSON object, got ${kind(rec)}`);
    return { errors: p.list };
  }
  const extra = Object.keys(rec).find((k) => !RECORD_KEYS.has(k));
  if (extra !== undefined) p.add('unrecognized_key', `unrecognized key ${show(extra)}`);
  const messages = rec.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    p.add('missing_messages_list', Array.isArray(messages) ? 'the messages list is empty' : 'no messages list');
    return { errors: p.list };
  }
  messages.forEach((m, i) => checkMessage(m, i + 1, p));
  if (!messages.some((m) => isRecordObject(m) && m.role === 'assistant')) {
    p.add('example_missing_assistant_message', 'no assistant message');
  }
  if (p.list.length > 0) return { errors: p.list };
  const tokens = tokensOverLimit(messages as Record<string, unknown>[], tokenLimit);
  if (tokens !== null) p.add('token_limit_exceeded', `${tokens} tokens, over the ${tokenLimit}-token limit`);
  if (p.list.length > 0) return { errors: p.list };
  return { record: normalize(messages as Record<string, unknown>[]), errors: [] };
}
