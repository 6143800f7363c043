/**
 * Anonymous speaker labels for datasets that must not carry display names: each distinct speaker
 * of a conversation becomes "Speaker 1", "Speaker 2"… in order of first appearance.
 */
import type { ChatMessage } from '../llm/port.js';

export class SpeakerLabels {
  private readonly labels = new Map<string, string>();

  constructor(private readonly prefix = 'Speaker') {}

  /** Stable label for a speaker key (a display name or an ID: the key itself is never output). */
  label(key: string): string {
    let label = this.labels.get(key);
    if (label === undefined) {
      label = `${this.prefix} ${this.labels.size + 1}`;
      this.labels.set(key, label);
    }
    return label;
  }

  has(key: string): boolean {
    return this.labels.has(key);
  }

  get size(): number {
    return this.labels.size;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces the `name` of user messages by labels and "@Name" mentions of those speakers inside
 * every content by "@Speaker n". System and assistant names are kept. Returns new messages.
 */
export function anonymizeMessages(messages: readonly ChatMessage[], labels = new SpeakerLabels()): ChatMessage[] {
  const names = new Set<string>();
  for (const m of messages) {
    if (m.role === 'user' && m.name) {
      labels.label(m.name);
      names.add(m.name);
    }
  }
  const ordered = [...names].sort((a, b) => b.length - a.length);
  const mention = ordered.length ? new RegExp(`@(${ordered.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'gu') : undefined;
  return messages.map((m) => {
    const content = mention ? m.content.replace(mention, (_, name: string) => `@${labels.label(name)}`) : m.content;
    const out: ChatMessage = { role: m.role, content };
    if (m.name) out.name = m.role === 'user' ? labels.label(m.name) : m.name;
    return out;
  });
}
