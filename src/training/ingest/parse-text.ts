/**
 * Plain-text conversations: turns labelled `User:`/`Assistant:` or `Q:`/`A:` (case-insensitive),
 * an optional `System:` turn, turns may span several lines. A blank line followed by a `User:`/`Q:`
 * or `System:` label starts a new conversation; a blank line followed by an `Assistant:`/`A:` label
 * or by unlabelled text stays in the same conversation (the latter as a new paragraph of the turn).
 */
import { lineBatches } from './source.js';
import type { ParsedItem } from './types.js';

type Role = 'system' | 'user' | 'assistant';

const LABEL = /^\s*(system|user|assistant|q|a)\s*:[ \t]?(.*)$/i;
const ROLE_OF: Record<string, Role> = { system: 'system', user: 'user', q: 'user', assistant: 'assistant', a: 'assistant' };

interface Turn {
  role: Role;
  lines: string[];
}

interface Conversation {
  line: number;
  turns: Turn[];
}

function toRecord(conv: Conversation): ParsedItem {
  const messages = conv.turns.map((t) => ({ role: t.role, content: t.lines.join('\n').trim() }));
  return { line: conv.line, value: { messages } };
}

export class TextConversationParser {
  private conv: Conversation | null = null;
  private blank = false;
  private orphan = false;
  private out: ParsedItem[] = [];

  feed(text: string, line: number): void {
    if (text.trim() === '') {
      this.blank = true;
      return;
    }
    const match = LABEL.exec(text);
    if (match) this.label(ROLE_OF[(match[1] ?? '').toLowerCase()] ?? 'user', match[2] ?? '', line);
    else this.continueTurn(text, line);
    this.blank = false;
  }

  take(): ParsedItem[] {
    return this.out.splice(0, this.out.length);
  }

  finish(): ParsedItem[] {
    if (this.conv) this.out.push(toRecord(this.conv));
    this.conv = null;
    return this.take();
  }

  private label(role: Role, rest: string, line: number): void {
    this.orphan = false;
    if (this.conv && this.blank && role !== 'assistant') {
      this.out.push(toRecord(this.conv));
      this.conv = null;
    }
    this.conv ??= { line, turns: [] };
    this.conv.turns.push({ role, lines: [rest] });
  }

  private continueTurn(text: string, line: number): void {
    const turn = this.conv?.turns.at(-1);
    if (turn) {
      if (this.blank) turn.lines.push('');
      turn.lines.push(text);
      return;
    }
    if (this.orphan) return;
    this.orphan = true;
    const message = 'text without a User:/Assistant: (or Q:/A:) label';
    this.out.push({ line, error: { line, code: 'text_unlabeled', message } });
  }
}

export async function* parseText(chunks: AsyncIterable<string>): AsyncGenerator<ParsedItem[]> {
  const parser = new TextConversationParser();
  for await (const lines of lineBatches(chunks)) {
    for (const { text, line } of lines) parser.feed(text, line);
    yield parser.take();
  }
  yield parser.finish();
}
