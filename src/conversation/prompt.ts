import type { ChatMessage } from '../llm/port.js';
import type { HistoryEntry } from './history.js';

export interface PromptVars {
  botName: string;
  userName: string;
  server: string;
  channel: string;
  time: Date;
  /** Appended as its own paragraph when given (see style.ts). */
  styleNote?: string;
}

const PLACEHOLDER = /\{(bot_name|user_name|server|channel|time)\}/g;

/** "2025-03-07 14:05 UTC" */
export function formatPromptTime(time: Date): string {
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Fills {bot_name} {user_name} {server} {channel} {time} in one pass (values are never expanded
 * again, so a user named "{time}" stays literal). Unknown placeholders are left as they are.
 */
export function renderSystemPrompt(template: string, vars: PromptVars): string {
  const values: Record<string, string> = {
    bot_name: vars.botName,
    user_name: vars.userName,
    server: vars.server,
    channel: vars.channel,
    time: formatPromptTime(vars.time),
  };
  const text = template.replace(PLACEHOLDER, (whole, key: string) => values[key] ?? whole);
  const note = vars.styleNote?.trim();
  if (!note) return text;
  return text.trim() ? `${text.trimEnd()}\n\n${note}` : note;
}

export interface BuildChatOptions {
  system: string;
  history: readonly HistoryEntry[];
  /** Example exchanges placed between the system prompt and the live history. */
  fewShot?: readonly ChatMessage[];
  /**
   * Also put the sanitized speaker in the `name` field of user messages. Off by default: several
   * OpenAI-compatible servers reject or ignore `name`; the "Speaker: text" prefix works everywhere.
   */
  useNameField?: boolean;
}

/**
 * System prompt first, then few-shot examples, then the history: user entries become
 * "Speaker: text" user messages, assistant entries are passed as they are. An empty system
 * prompt is left out.
 */
export function buildChatMessages(opts: BuildChatOptions): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (opts.system.trim()) messages.push({ role: 'system', content: opts.system });
  for (const m of opts.fewShot ?? []) messages.push({ ...m });
  for (const entry of opts.history) messages.push(toChatMessage(entry, opts.useNameField ?? false));
  return messages;
}

function toChatMessage(entry: HistoryEntry, useNameField: boolean): ChatMessage {
  if (entry.role === 'assistant') return { role: 'assistant', content: entry.content };
  const speaker = speakerLabel(entry.speaker);
  const message: ChatMessage = { role: 'user', content: `${speaker}: ${entry.content}` };
  const name = useNameField ? sanitizeName(entry.speaker) : undefined;
  if (name) message.name = name;
  return message;
}

/** A display name on one line, for the "Speaker: text" prefix ("User" when blank). */
export function speakerLabel(speaker: string): string {
  const label = speaker.replace(/\s+/g, ' ').trim();
  return label || 'User';
}

/** A display name reduced to the `name` field's ^[a-zA-Z0-9_-]{1,64}$, or undefined when nothing is left. */
export function sanitizeName(speaker: string): string | undefined {
  const ascii = speaker
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, '_')
    .replace(/[^a-zA-Z0-9_-]/g, '')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return ascii || undefined;
}
