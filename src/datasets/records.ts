/**
 * Structural validation and sanitizing of dataset records. Every content goes through
 * `toDatasetText` (mentions become names); a record that would still carry a Discord user mention
 * (`<@123…>`) is refused, so datasets never store user IDs. Unknown keys are dropped.
 */
import { toDatasetText, type MentionNames } from '../conversation/sanitize.js';
import type { ChatMessage, ChatRole } from '../llm/port.js';
import type { ChatRecord, PreferenceRecord } from './types.js';

export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError';
}

const ROLES: ReadonlySet<string> = new Set<ChatRole>(['system', 'user', 'assistant']);
/** A Discord user/role mention with a snowflake-looking ID (also `<@!id>`, `<@&id>`), or "@<snowflake>". */
const USER_MENTION = /<@[!&]?\d{5,25}>|@\d{15,25}(?!\d)/;
/** Resolved names carrying an ID-like number are not used (the generic "@user" is). */
const ID_LIKE = /\d{15,}|<@/;
const MAX_NAME = 64;

export function containsUserMention(text: string): boolean {
  return USER_MENTION.test(text);
}

function guard(text: string, where: string): string {
  if (containsUserMention(text)) throw new InvalidRecordError(`${where} still contains a user mention`);
  return text;
}

/** A speaker name that is a bare snowflake is a user ID, not a display name. */
const SNOWFLAKE = /^\d{15,25}$/;

function guardName(name: string, where: string): string {
  if (SNOWFLAKE.test(name)) throw new InvalidRecordError(`${where} looks like a user ID`);
  return guard(name, where);
}

function safeResolver(fn: ((id: string) => string | undefined) | undefined): ((id: string) => string | undefined) | undefined {
  if (!fn) return undefined;
  return (id) => {
    const name = fn(id);
    return name === undefined || ID_LIKE.test(name) ? undefined : name;
  };
}

/** Wraps resolvers so that a name that is (or contains) an ID falls back to "@user" / "@role" / "#channel". */
export function safeNames(names: MentionNames = {}): MentionNames {
  return { user: safeResolver(names.user), role: safeResolver(names.role), channel: safeResolver(names.channel) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A display name or speaker label safe for a dataset: no mention characters, at most 64 characters. */
export function datasetName(raw: string, names: MentionNames = {}): string {
  return toDatasetText(raw, names).replace(/[<>@#]/g, '').replace(/\s+/g, ' ').trim().slice(0, MAX_NAME).trim();
}

export function sanitizeMessage(value: unknown, names: MentionNames = {}, where = 'message'): ChatMessage {
  if (!isObject(value)) throw new InvalidRecordError(`${where} is not an object`);
  const { role, content, name } = value;
  if (typeof role !== 'string' || !ROLES.has(role)) throw new InvalidRecordError(`${where}.role is not system, user or assistant`);
  if (typeof content !== 'string') throw new InvalidRecordError(`${where}.content is not a string`);
  if (name !== undefined && typeof name !== 'string') throw new InvalidRecordError(`${where}.name is not a string`);
  const safe = safeNames(names);
  const message: ChatMessage = { role: role as ChatRole, content: guard(toDatasetText(content, safe), `${where}.content`) };
  const label = name === undefined ? '' : guardName(datasetName(name, safe), `${where}.name`);
  if (label) message.name = label;
  return message;
}

function sanitizeMessages(value: unknown, names: MentionNames, where: string): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidRecordError(`${where} must be a non-empty array`);
  return value.map((m, i) => sanitizeMessage(m, names, `${where}[${i}]`));
}

/** `{ messages: [...] }` with at least one non-empty assistant message (OpenAI chat fine-tuning format). */
export function sanitizeChatRecord(value: unknown, names: MentionNames = {}): ChatRecord {
  if (!isObject(value)) throw new InvalidRecordError('record is not an object');
  const messages = sanitizeMessages(value.messages, names, 'messages');
  if (!messages.some((m) => m.role === 'assistant' && m.content !== '')) {
    throw new InvalidRecordError('record has no non-empty assistant message');
  }
  return { messages };
}

function sanitizeOutput(value: unknown, names: MentionNames, where: string): ChatMessage[] {
  const output = sanitizeMessages(value, names, where);
  const only = output[0];
  if (output.length !== 1 || !only || only.role !== 'assistant' || only.content === '') {
    throw new InvalidRecordError(`${where} must be exactly one non-empty assistant message`);
  }
  return output;
}

/** OpenAI preference (DPO) format; both outputs are one assistant message and must differ. */
export function sanitizePreferenceRecord(value: unknown, names: MentionNames = {}): PreferenceRecord {
  if (!isObject(value) || !isObject(value.input)) throw new InvalidRecordError('preference record needs an input object');
  const messages = sanitizeMessages(value.input.messages, names, 'input.messages');
  const preferred = sanitizeOutput(value.preferred_output, names, 'preferred_output');
  const nonPreferred = sanitizeOutput(value.non_preferred_output, names, 'non_preferred_output');
  if (preferred[0]?.content === nonPreferred[0]?.content) {
    throw new InvalidRecordError('preferred and non-preferred outputs are identical');
  }
  return { input: { messages }, preferred_output: preferred, non_preferred_output: nonPreferred };
}
