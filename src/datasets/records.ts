/**
 * Sanitizing of dataset records, then the one validator (validate.ts). Sanitizing is total on
 * texts: every content and name goes through `toDatasetText` (mentions become names; user IDs,
 * e-mails, phone numbers and keys become placeholders), a name that is an ID is dropped, empty
 * turns are dropped. Unknown keys are dropped; `weight` (0|1) is kept on assistant turns of chat
 * records. A record that is still not valid OpenAI data is refused with InvalidRecordError.
 */
import { toDatasetText, type MentionNames } from '../conversation/sanitize.js';
import { UserError } from '../core/errors.js';
import type { ChatRole } from '../llm/port.js';
import type { ChatRecord, PreferenceRecord, RecordMessage } from './types.js';
import { checkChatRecord, checkPreferenceRecord, containsUserId, describeProblems, type RecordProblem } from './validate.js';

/** A record that cannot be stored; a UserError, so the user is told which record and why (nothing was written). */
export class InvalidRecordError extends UserError {
  constructor(
    message: string,
    readonly problems: readonly RecordProblem[] = [],
    /** Index of the refused record in a batch. */
    readonly index?: number,
  ) {
    super('InvalidRecord', `Not saved as training data: ${message}.`);
    this.detail = message;
  }

  /** The reason without the sentence around it. */
  readonly detail: string;
}

const ROLES: ReadonlySet<string> = new Set<ChatRole>(['system', 'user', 'assistant']);
/** Resolved names carrying an ID-like number are not used (the generic "@user" is). */
const ID_LIKE = /\d{15,}|<@/;
const MAX_NAME = 64;

export function containsUserMention(text: string): boolean {
  return containsUserId(text);
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
  return { user: safeResolver(names.user), role: safeResolver(names.role), channel: safeResolver(names.channel), privacy: names.privacy };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A display name or speaker label safe for a dataset: no mention characters, at most 64 characters. */
export function datasetName(raw: string, names: MentionNames = {}): string {
  return toDatasetText(raw, names).replace(/[<>@#]/g, '').replace(/\s+/g, ' ').trim().slice(0, MAX_NAME).trim();
}

/** A name left empty, all digits or ID-like is no name (a speaker label must never be a user ID). */
function cleanLabel(name: unknown, names: MentionNames): string {
  if (typeof name !== 'string') return '';
  const label = datasetName(name, names);
  return /^\d+$/.test(label) || containsUserId(label) || label.includes('[id]') ? '' : label;
}

/** Role, content (sanitized), name (sanitized, dropped when it is an ID) and weight (assistant, 0|1). */
export function sanitizeMessage(value: unknown, names: MentionNames = {}, where = 'message'): RecordMessage {
  if (!isObject(value)) throw new InvalidRecordError(`${where} is not an object`);
  const { role, content, name, weight } = value;
  if (typeof role !== 'string' || !ROLES.has(role)) throw new InvalidRecordError(`${where}.role is not system, user or assistant`);
  if (typeof content !== 'string') throw new InvalidRecordError(`${where}.content is not a string`);
  if (name !== undefined && typeof name !== 'string') throw new InvalidRecordError(`${where}.name is not a string`);
  const safe = safeNames(names);
  const message: RecordMessage = { role: role as ChatRole, content: toDatasetText(content, safe) };
  const label = cleanLabel(name, safe);
  if (label) message.name = label;
  if (role === 'assistant' && (weight === 0 || weight === 1)) message.weight = weight;
  return message;
}

function sanitizeMessages(value: unknown, names: MentionNames, where: string, weights: boolean): RecordMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidRecordError(`${where} must be a non-empty array`);
  return value
    .map((m, i) => sanitizeMessage(m, names, `${where}[${i}]`))
    .filter((m) => m.content !== '')
    .map((m) => (weights || m.weight === undefined ? m : { role: m.role, content: m.content, ...(m.name ? { name: m.name } : {}) }));
}

function refuse(problems: RecordProblem[]): never {
  throw new InvalidRecordError(describeProblems(problems), problems);
}

/** A valid OpenAI chat record (see validate.ts), sanitized; throws InvalidRecordError otherwise. */
export function sanitizeChatRecord(value: unknown, names: MentionNames = {}): ChatRecord {
  if (!isObject(value)) throw new InvalidRecordError('record is not an object');
  const record: ChatRecord = { messages: sanitizeMessages(value.messages, names, 'messages', true) };
  const problems = checkChatRecord(record);
  if (problems.length > 0) refuse(problems);
  return record;
}

/** A valid OpenAI preference (DPO) record, sanitized (weights dropped); throws InvalidRecordError otherwise. */
export function sanitizePreferenceRecord(value: unknown, names: MentionNames = {}): PreferenceRecord {
  if (!isObject(value) || !isObject(value.input)) throw new InvalidRecordError('preference record needs an input object');
  const record: PreferenceRecord = {
    input: { messages: sanitizeMessages(value.input.messages, names, 'input.messages', false) },
    preferred_output: sanitizeMessages(value.preferred_output, names, 'preferred_output', false),
    non_preferred_output: sanitizeMessages(value.non_preferred_output, names, 'non_preferred_output', false),
  };
  const problems = checkPreferenceRecord(record);
  if (problems.length > 0) refuse(problems);
  return record;
}
