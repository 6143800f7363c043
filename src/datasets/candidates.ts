/**
 * Every bot reply with the context it answered, kept as a candidate until feedback turns it into a
 * dataset record. Storage: an in-memory LRU (default 5,000 candidates, oldest dropped first) plus an
 * optional append-only journal (JSONL: `{"op":"add","candidate":…}` / `{"op":"take","messageId":…}`)
 * replayed by `load()`, so candidates survive a restart; the journal is compacted (atomic rewrite)
 * when it holds more than twice `max` lines. Texts are sanitized on entry (no user mentions/IDs).
 */
import type { Logger } from 'pino';
import type { MentionNames } from '../conversation/sanitize.js';
import { toDatasetText } from '../conversation/sanitize.js';
import type { ChatMessage } from '../llm/port.js';
import { JsonlAppender, readJsonl, repairTornTail } from './jsonl.js';
import { sanitizeMessage } from './records.js';

export { toCorrected, toNegative, toPositive, toPreference } from './candidate-records.js';

export interface Candidate {
  /** The bot's reply message (the one users react to). */
  messageId: string;
  channelId: string;
  /** What the model saw before replying (system prompt and history), speakers as names. */
  context: ChatMessage[];
  reply: string;
  /** ISO 8601 time of the reply. */
  at: string;
}

export interface CandidateStoreOptions {
  /** Journal file, e.g. `<dataDir>/state/candidates.jsonl`; omitted = memory only. */
  file?: string;
  max?: number;
  names?: MentionNames;
  log?: Logger;
}

type JournalLine = { op: 'add'; candidate: Candidate } | { op: 'take'; messageId: string };

function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 100) throw new TypeError(`Invalid ${what}`);
  return id;
}

function isCandidate(v: unknown): v is Candidate {
  const c = v as Partial<Candidate> | null;
  return typeof c === 'object' && c !== null && typeof c.messageId === 'string' && typeof c.channelId === 'string' &&
    Array.isArray(c.context) && typeof c.reply === 'string' && typeof c.at === 'string';
}

export class CandidateStore {
  private readonly items = new Map<string, Candidate>();
  private readonly journal: JsonlAppender | undefined;
  private readonly max: number;
  private journalLines = 0;

  constructor(private readonly opts: CandidateStoreOptions = {}) {
    this.max = Math.max(1, Math.floor(opts.max ?? 5000));
    this.journal = opts.file ? new JsonlAppender(opts.file) : undefined;
  }

  get size(): number {
    return this.items.size;
  }

  /** Replays the journal (torn tail repaired, bad lines skipped); returns the number of candidates. */
  async load(): Promise<number> {
    if (!this.opts.file) return this.items.size;
    await repairTornTail(this.opts.file);
    for await (const { value, error, line } of readJsonl(this.opts.file)) {
      this.journalLines += 1;
      const entry = value as JournalLine | undefined;
      if (entry?.op === 'add' && isCandidate(entry.candidate)) this.remember(entry.candidate);
      else if (entry?.op === 'take' && typeof entry.messageId === 'string') this.items.delete(entry.messageId);
      else this.opts.log?.warn({ file: this.opts.file, line, error }, 'skipped a bad candidate journal line');
    }
    this.compactIfNeeded();
    return this.items.size;
  }

  /** Stores a candidate (texts sanitized); resolves once journaled. */
  async add(input: Candidate): Promise<Candidate> {
    const candidate: Candidate = {
      messageId: checkId(input.messageId, 'message id'),
      channelId: checkId(input.channelId, 'channel id'),
      context: input.context.map((m, i) => sanitizeMessage(m, this.opts.names, `context[${i}]`)),
      reply: toDatasetText(input.reply, this.opts.names),
      at: typeof input.at === 'string' ? input.at : new Date().toISOString(),
    };
    this.remember(candidate);
    await this.write({ op: 'add', candidate });
    return structuredClone(candidate);
  }

  get(messageId: string): Candidate | undefined {
    const c = this.items.get(messageId);
    return c ? structuredClone(c) : undefined;
  }

  /** Removes and returns the candidate; the removal is immediate, so two takes never both get it. */
  async take(messageId: string): Promise<Candidate | undefined> {
    const c = this.items.get(messageId);
    if (!c) return undefined;
    this.items.delete(messageId);
    await this.write({ op: 'take', messageId });
    return c;
  }

  async flush(): Promise<void> {
    await this.journal?.flush();
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  private remember(c: Candidate): void {
    this.items.delete(c.messageId);
    this.items.set(c.messageId, c);
    while (this.items.size > this.max) {
      const oldest = this.items.keys().next();
      if (oldest.done) break;
      this.items.delete(oldest.value);
    }
  }

  private async write(line: JournalLine): Promise<void> {
    if (!this.journal) return;
    this.journalLines += 1;
    const written = this.journal.append(line);
    this.compactIfNeeded();
    await written;
  }

  /** Rewrites the journal with the live candidates (queued after earlier appends, so nothing is lost). */
  private compactIfNeeded(): void {
    if (!this.journal || this.journalLines <= 2 * this.max) return;
    const live: JournalLine[] = [...this.items.values()].map((candidate) => ({ op: 'add', candidate }));
    this.journalLines = live.length;
    this.journal.replace(live).catch((err: unknown) => this.opts.log?.error({ err }, 'could not compact the candidate journal'));
  }
}
