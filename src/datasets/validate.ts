/**
 * The one validator of dataset records, used before every write (DatasetStore), by `!train` /
 * `dataset validate` (after the ingest's raw checks) and by the fine-tuning file builder.
 *
 * Chat format (OpenAI supervised fine-tuning): `{"messages": [...]}`; roles system, user,
 * assistant; keys role, content, name, weight; non-empty string content; `weight` (0 or 1) on
 * assistant messages only; the last message is an assistant turn and at least one assistant turn
 * is trained (weight not 0). Preference format (OpenAI DPO): `{"input": {"messages": [...]},
 * "preferred_output": [assistant], "non_preferred_output": [assistant]}`, outputs different, no
 * weights, input not ending with an assistant turn. Eos rule on top: no user mention or user ID
 * (`<@123…>`, `@123…`, an all-digit name) anywhere.
 */
export interface RecordProblem {
  code: string;
  message: string;
}

const ROLES = new Set(['system', 'user', 'assistant']);
const MESSAGE_KEYS = new Set(['role', 'content', 'name', 'weight']);
const CHAT_KEYS = new Set(['messages']);
const PREFERENCE_KEYS = new Set(['input', 'preferred_output', 'non_preferred_output']);
/** A Discord user/role mention with an ID (also `<@!id>`, `<@&id>`), or "@" + a snowflake-sized number. */
const USER_ID_MENTION = /<@[!&]?\d+>|@\d{15,}/;
const DIGITS = /^\d+$/;
const MAX_NAME = 64;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}

class Problems {
  readonly list: RecordProblem[] = [];
  add(code: string, message: string): void {
    if (!this.list.some((p) => p.code === code)) this.list.push({ code, message });
  }
}

export function containsUserId(text: string): boolean {
  return USER_ID_MENTION.test(text);
}

interface MessageRules {
  where: string;
  weights: boolean;
}

function checkMessage(m: unknown, rules: MessageRules, p: Problems): void {
  const { where } = rules;
  if (!isObject(m)) return p.add('data_type', `${where} is ${kind(m)}, not an object`);
  const unknown = Object.keys(m).find((k) => !MESSAGE_KEYS.has(k));
  if (unknown !== undefined) p.add('message_unrecognized_key', `${where} has unrecognized key ${JSON.stringify(unknown.slice(0, 32))}`);
  if (!('role' in m)) p.add('message_missing_key', `${where} has no role`);
  else if (typeof m.role !== 'string' || !ROLES.has(m.role)) p.add('unrecognized_role', `${where} has a role other than system, user or assistant`);
  if (typeof m.content !== 'string') p.add('missing_content', `${where} has no text content`);
  else if (m.content.trim() === '') p.add('missing_content', `${where} has empty content`);
  else if (containsUserId(m.content)) p.add('contains_user_id', `${where} contains a user mention or ID`);
  if (m.name !== undefined) {
    if (typeof m.name !== 'string' || m.name.trim() === '' || m.name.length > MAX_NAME) p.add('invalid_name', `${where} name must be 1-${MAX_NAME} characters`);
    else if (DIGITS.test(m.name) || containsUserId(m.name)) p.add('contains_user_id', `${where} name looks like a user ID`);
  }
  if (m.weight === undefined) return;
  if (!rules.weights) p.add('invalid_weight', `${where}: weight is not allowed here`);
  else if (m.weight !== 0 && m.weight !== 1) p.add('invalid_weight', `${where} weight must be 0 or 1`);
  else if (m.role !== 'assistant') p.add('invalid_weight', `${where}: weight is only allowed on assistant messages`);
}

function checkKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>, p: Problems): void {
  const extra = Object.keys(value).find((k) => !allowed.has(k));
  if (extra !== undefined) p.add('unrecognized_key', `unrecognized key ${JSON.stringify(extra.slice(0, 32))}`);
}

function checkMessages(value: unknown, where: string, weights: boolean, p: Problems): value is Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length === 0) {
    p.add('missing_messages_list', Array.isArray(value) ? `${where} is empty` : `no ${where} list`);
    return false;
  }
  value.forEach((m, i) => checkMessage(m, { where: `${where}[${i}]`, weights }, p));
  return true;
}

/** Problems of a chat record (empty when it may be written). */
export function checkChatRecord(value: unknown): RecordProblem[] {
  const p = new Problems();
  if (!isObject(value)) {
    p.add('data_type', `expected a JSON object, got ${kind(value)}`);
    return p.list;
  }
  checkKeys(value, CHAT_KEYS, p);
  const messages = value.messages;
  if (!checkMessages(messages, 'messages', true, p)) return p.list;
  const assistants = messages.filter((m) => isObject(m) && m.role === 'assistant');
  if (assistants.length === 0) p.add('example_missing_assistant_message', 'no assistant message');
  else if (!isObject(messages.at(-1)) || messages.at(-1)?.role !== 'assistant') p.add('last_message_not_assistant', 'the last message is not an assistant turn');
  else if (assistants.every((m) => m.weight === 0)) p.add('no_trained_turn', 'every assistant turn has weight 0: nothing would be trained');
  return p.list;
}

function checkOutput(value: unknown, where: string, p: Problems): string | undefined {
  if (!checkMessages(value, where, false, p)) return undefined;
  const only = value[0];
  if (value.length !== 1 || only?.role !== 'assistant') {
    p.add('invalid_output', `${where} must be exactly one assistant message`);
    return undefined;
  }
  return typeof only.content === 'string' ? only.content : undefined;
}

/** Problems of a preference (DPO) record (empty when it may be written). */
export function checkPreferenceRecord(value: unknown): RecordProblem[] {
  const p = new Problems();
  if (!isObject(value)) {
    p.add('data_type', `expected a JSON object, got ${kind(value)}`);
    return p.list;
  }
  checkKeys(value, PREFERENCE_KEYS, p);
  if (!isObject(value.input)) p.add('missing_input', 'no input object');
  else {
    checkKeys(value.input, CHAT_KEYS, p);
    const messages = value.input.messages;
    if (checkMessages(messages, 'input.messages', false, p) && isObject(messages.at(-1)) && messages.at(-1)?.role === 'assistant') {
      p.add('input_ends_with_assistant', 'input.messages ends with an assistant turn');
    }
  }
  const preferred = checkOutput(value.preferred_output, 'preferred_output', p);
  const other = checkOutput(value.non_preferred_output, 'non_preferred_output', p);
  if (preferred !== undefined && preferred === other) p.add('identical_outputs', 'preferred and non-preferred outputs are identical');
  return p.list;
}

export type RecordFormat = 'chat' | 'preference';

export function checkRecord(value: unknown, format: RecordFormat): RecordProblem[] {
  return format === 'chat' ? checkChatRecord(value) : checkPreferenceRecord(value);
}

export function isValidRecord(value: unknown, format: RecordFormat): boolean {
  return checkRecord(value, format).length === 0;
}

/** "messages[2] has empty content; the last message is not an assistant turn" */
export function describeProblems(problems: readonly RecordProblem[]): string {
  return problems.map((p) => p.message).join('; ');
}
