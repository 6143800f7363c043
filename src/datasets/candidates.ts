/**
 * Every conversational bot reply with the context it answered, kept as a candidate for feedback.
 * A candidate stays after it was rated, with its verdict (👍, 👎 or corrected), so later raters get a
 * truthful answer, later records can replace or drop a rejected answer, and the history backfilled
 * after a restart recognises the bot's conversational replies (only those; see docs/DATA.md).
 * Storage: an in-memory LRU (default 5,000 candidates, oldest dropped first) plus an optional
 * append-only journal (JSONL: `{"op":"add","candidate":…}` / `{"op":"decide","messageId":…,"verdict":…}` /
 * `{"op":"take","messageId":…}` = forgotten for good) replayed by `load()`, so candidates, verdicts and "my last
 * reply here" survive a restart; compacted (atomic rewrite) beyond twice `max` lines. Texts are
 * sanitized on entry (no user mentions/IDs).
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
  /** Platform message ID of each context turn (null for the system prompt and unknown ones). */
  contextIds?: (string | null)[];
  /** Every message the reply was split over, the first included (any of them can be rated). */
  partIds?: string[];
  /** What users saw (reasoning blocks removed). */
  reply: string;
  /** The model's reasoning, kept only when `conversation.reasoning.train` is on. */
  reasoning?: string;
  /** ISO 8601 time of the reply. */
  at: string;
  /** The first decision on the reply (it decides its dataset records). */
  verdict?: Verdict;
}

export type Verdict = { kind: 'up' } | { kind: 'down' } | { kind: 'corrected'; text: string };

export interface CandidateStoreOptions {
  /** Journal file, e.g. `<dataDir>/state/candidates.jsonl`; omitted = memory only. */
  file?: string;
  /** Replay `file` but never write it (another process owns it: e.g. the pre-sharding shared journal). */
  readOnly?: boolean;
  max?: number;
  names?: MentionNames;
  log?: Logger;
}

type JournalLine =
  | { op: 'add'; candidate: Candidate }
  | { op: 'decide'; messageId: string; verdict: Verdict }
  | { op: 'take'; messageId: string };

function isVerdict(v: unknown): v is Verdict {
  const x = v as { kind?: unknown; text?: unknown } | null;
  return typeof x === 'object' && x !== null && (x.kind === 'up' || x.kind === 'down' || (x.kind === 'corrected' && typeof x.text === 'string'));
}

function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 100) throw new TypeError(`Invalid ${what}`);
  return id;
}

function isCandidate(v: unknown): v is Candidate {
  const c = v as Partial<Candidate> | null;
  return typeof c === 'object' && c !== null && typeof c.messageId === 'string' && typeof c.channelId === 'string' &&
    Array.isArray(c.context) && typeof c.reply === 'string' && typeof c.at === 'string';
}

/** The message IDs a journal line is about (a candidate's own and its parts'; none for a torn line). */
function journalIds(line: string): string[] {
  try {
    const l = JSON.parse(line) as { messageId?: unknown; candidate?: { messageId?: unknown; partIds?: unknown } } | null;
    const parts: unknown[] = Array.isArray(l?.candidate?.partIds) ? (l.candidate.partIds as unknown[]) : [];
    const ids = [l?.messageId, l?.candidate?.messageId, ...parts];
    return ids.filter((id): id is string => typeof id === 'string');
  } catch {
    return [];
  }
}

export class CandidateStore {
  private readonly items = new Map<string, Candidate>();
  /** Message ID of every part → the candidate's (first) message ID. */
  private readonly parts = new Map<string, string>();
  /** Channel → its latest candidate's message ID ("my last reply here"). */
  private readonly latest = new Map<string, string>();
  /** Message IDs forgotten for good (`drop`): kept in the journal so a copy elsewhere (a legacy journal) stays hidden. */
  private readonly dropped = new Set<string>();
  private readonly journal: JsonlAppender | undefined;
  private readonly max: number;
  private journalLines = 0;

  constructor(private readonly opts: CandidateStoreOptions = {}) {
    this.max = Math.max(1, Math.floor(opts.max ?? 5000));
    this.journal = opts.file && !opts.readOnly ? new JsonlAppender(opts.file) : undefined;
  }

  get size(): number {
    return this.items.size;
  }

  /** Replays the journal (torn tail repaired, bad lines skipped); returns the number of candidates. */
  async load(): Promise<number> {
    if (!this.opts.file) return this.items.size;
    if (!this.opts.readOnly) await repairTornTail(this.opts.file);
    for await (const { value, error, line } of readJsonl(this.opts.file)) {
      this.journalLines += 1;
      const entry = value as JournalLine | undefined;
      if (entry?.op === 'add' && isCandidate(entry.candidate)) this.remember(entry.candidate);
      else if (entry?.op === 'decide' && typeof entry.messageId === 'string' && isVerdict(entry.verdict)) this.mark(entry.messageId, entry.verdict);
      else if (entry?.op === 'take' && typeof entry.messageId === 'string') this.forget(entry.messageId, true);
      else if (this.opts.readOnly && error) continue; // the owner may be appending this very line
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
    if (input.contextIds?.length === input.context.length) candidate.contextIds = input.contextIds.map((id) => (typeof id === 'string' ? id : null));
    const parts = (input.partIds ?? []).filter((id) => typeof id === 'string' && id !== candidate.messageId);
    if (parts.length > 0) candidate.partIds = [candidate.messageId, ...parts.map((id) => checkId(id, 'part id'))];
    if (input.reasoning) candidate.reasoning = toDatasetText(input.reasoning, this.opts.names);
    if (input.verdict) candidate.verdict = this.cleanVerdict(input.verdict);
    this.remember(candidate);
    await this.write({ op: 'add', candidate });
    return structuredClone(candidate);
  }

  /** Whether any of the candidate's message IDs is remembered here. */
  has(messageId: string): boolean {
    return this.items.has(this.parts.get(messageId) ?? messageId);
  }

  /** Whether `drop` forgot this message ID (here or in a replayed journal). */
  wasDropped(messageId: string): boolean {
    return this.dropped.has(messageId);
  }

  /**
   * Takes over a candidate remembered by another store (e.g. a server's reply found in the pre-sharding shared
   * journal): journaled here whole, so later decisions on it are replayed from this store's own file.
   */
  adopt(candidate: Candidate): Promise<void> {
    const c = structuredClone(candidate);
    this.remember(c);
    return this.write({ op: 'add', candidate: c });
  }

  /** Remembered candidates, least recently added first: message ID and time (for a bound shared by several stores). */
  ids(): { messageId: string; at: string }[] {
    return [...this.items.values()].map((c) => ({ messageId: c.messageId, at: c.at }));
  }

  /** Forgets a candidate from memory only (its journal keeps it): the LRU bound of a router over several stores. */
  evict(messageId: string): void {
    this.forget(messageId);
  }

  /** The candidate of any of its parts' message IDs (a copy). */
  get(messageId: string): Candidate | undefined {
    const c = this.items.get(this.parts.get(messageId) ?? messageId);
    return c ? structuredClone(c) : undefined;
  }

  /** The latest candidate's message ID in a channel, while it is remembered. */
  latestIn(channelId: string): string | undefined {
    const id = this.latest.get(channelId);
    return id !== undefined && this.items.has(id) ? id : undefined;
  }

  verdictOf(messageId: string): Verdict | undefined {
    return this.items.get(this.parts.get(messageId) ?? messageId)?.verdict;
  }

  /**
   * Sets the verdict in memory at once (so two concurrent raters never both decide) and returns the
   * one it replaced; `persist()` journals it once its records are written, `revert()` undoes it.
   */
  claim(messageId: string, verdict: Verdict): { candidate: Candidate; prior: Verdict | undefined } | undefined {
    const c = this.items.get(this.parts.get(messageId) ?? messageId);
    if (!c) return undefined;
    const prior = c.verdict;
    c.verdict = this.cleanVerdict(verdict);
    return { candidate: structuredClone(c), prior };
  }

  revert(messageId: string, prior: Verdict | undefined): void {
    const c = this.items.get(messageId);
    if (!c) return;
    if (prior) c.verdict = prior;
    else delete c.verdict;
  }

  /** Forgets a candidate for good (e.g. `!forget me`): removed from memory and from the journal on replay. */
  async drop(messageId: string): Promise<void> {
    const id = this.parts.get(messageId) ?? messageId;
    if (!this.items.has(id)) return;
    this.forget(id, true);
    await this.write({ op: 'take', messageId: id });
  }

  /** Journals that `messageId` is forgotten for good, remembered here or not (hides a copy another store holds). */
  async tombstone(messageId: string): Promise<void> {
    this.forget(messageId, true);
    await this.write({ op: 'take', messageId });
  }

  /**
   * Removes every journal line of these candidates (added, decided, taken) from the file, and them from memory: their
   * text leaves the file for good (`!forget me` on another shard, src/privacy/shared-forget.ts). Returns the lines removed.
   */
  async purge(messageIds: ReadonlySet<string>): Promise<number> {
    for (const id of messageIds) this.forget(this.parts.get(id) ?? id);
    if (!this.journal || messageIds.size === 0) return 0;
    let removed = 0;
    await this.journal.rewrite((text) => {
      const kept = text.split('\n').filter((line) => {
        if (!line) return false;
        const hit = journalIds(line).some((id) => messageIds.has(id));
        if (hit) removed++;
        return !hit;
      });
      return removed === 0 ? text : kept.map((l) => `${l}\n`).join('');
    });
    this.journalLines = Math.max(0, this.journalLines - removed);
    return removed;
  }

  async persist(messageId: string): Promise<void> {
    const verdict = this.items.get(messageId)?.verdict;
    if (verdict) await this.write({ op: 'decide', messageId, verdict });
  }

  async flush(): Promise<void> {
    await this.journal?.flush();
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  private cleanVerdict(v: Verdict): Verdict {
    return v.kind === 'corrected' ? { kind: 'corrected', text: toDatasetText(v.text, this.opts.names) } : { kind: v.kind };
  }

  private remember(c: Candidate): void {
    this.forget(c.messageId);
    this.dropped.delete(c.messageId);
    this.items.set(c.messageId, c);
    for (const id of c.partIds ?? []) this.parts.set(id, c.messageId);
    // The newest reply is "my last reply here" (an adopted old one must not displace it).
    const current = this.items.get(this.latest.get(c.channelId) ?? '');
    if (!current || current === c || current.at <= c.at) this.latest.set(c.channelId, c.messageId);
    while (this.items.size > this.max) {
      const oldest = this.items.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
  }

  private mark(messageId: string, verdict: Verdict): void {
    const c = this.items.get(messageId);
    if (c) c.verdict = verdict;
  }

  private forget(messageId: string, forGood = false): void {
    if (forGood) {
      this.dropped.add(messageId);
      if (this.dropped.size > this.max) this.dropped.delete(this.dropped.values().next().value as string);
    }
    const c = this.items.get(messageId);
    if (!c) return;
    this.items.delete(messageId);
    for (const id of c.partIds ?? []) this.parts.delete(id);
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
    const live: JournalLine[] = [
      ...[...this.dropped].map((messageId): JournalLine => ({ op: 'take', messageId })),
      ...[...this.items.values()].map((candidate): JournalLine => ({ op: 'add', candidate })),
    ];
    this.journalLines = live.length;
    this.journal.replace(live).catch((err: unknown) => this.opts.log?.error({ err }, 'could not compact the candidate journal'));
  }
}
