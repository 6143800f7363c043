import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BatchedWriter, type BatchedWriterOptions } from '../datasets/batched-writer.js';
import type { KeyedHash } from './secret.js';

interface IndexLine {
  /** Keyed hash of (server, user). */
  u: string;
  /** Keyed hash of one normalized text the user contributed. */
  t: string;
}

/** Whitespace-collapsed, trimmed text: the form both the index and `!forget me` compare. */
export function normalizeText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const MIN_CHARS = 2;

/**
 * What identifies a stored record whatever its other fields (provenance, weights): its messages' roles and
 * normalized contents. An imported record is indexed by this, not by its single texts, so `!forget me`
 * removes exactly the records the user imported (a common line such as a system prompt matches nothing else).
 */
export function recordFingerprint(value: unknown): string | null {
  const messages = (value as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) return null;
  return JSON.stringify(
    messages.map((m: { role?: unknown; content?: unknown }) => [
      String(m?.role ?? ''),
      typeof m?.content === 'string' ? normalizeText(m.content) : JSON.stringify(m?.content ?? null),
    ]),
  );
}

/**
 * The private index of what each user contributed in each server, for `!forget me`. It lives in the
 * state folder (`state/privacy/contributions.jsonl`), outside the datasets, and holds only keyed hashes:
 * of (server, user) and of each normalized text. Without the privacy key it reveals neither IDs nor words.
 *
 * Cost per observed message: the user's key comes from a bounded LRU cache (in memory only), and lines go
 * through a BatchedWriter (one open file, one folder creation, group-committed appends). Durability: texts
 * noted for observed messages follow the conversation log's rule (queued lines are lost on SIGKILL, like the
 * log lines they index); noteRecords() and drop() resolve only once their lines are in the file.
 */
export class ContributionIndex {
  private readonly byUser = new Map<string, Set<string>>();
  private readonly writer: BatchedWriter;
  /** `guild\0user` → keyed hash, least recently used first. */
  private readonly userKeys = new Map<string, string>();
  private readonly userKeyCache: number;

  constructor(
    private readonly file: string,
    private readonly hash: KeyedHash,
    opts: { userKeyCache?: number; writer?: BatchedWriterOptions } = {},
  ) {
    this.userKeyCache = Math.max(1, opts.userKeyCache ?? 10_000);
    this.writer = new BatchedWriter({ maxOpen: 1, mode: 0o600, ...opts.writer });
  }

  async load(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      try {
        const l = JSON.parse(line) as IndexLine;
        if (typeof l.u === 'string' && typeof l.t === 'string') this.set(l.u).add(l.t);
      } catch {
        // blank or torn line
      }
    }
  }

  userKey(guildId: string | null, userId: string): string {
    const id = `${guildId ?? 'dm'}\u0000${userId}`;
    let key = this.userKeys.get(id);
    if (key !== undefined) {
      this.userKeys.delete(id);
    } else {
      key = this.hash('contributor', guildId ?? 'dm', userId);
      if (this.userKeys.size >= this.userKeyCache) this.userKeys.delete(this.userKeys.keys().next().value as string);
    }
    this.userKeys.set(id, key);
    return key;
  }

  /** Number of user keys held in memory (bounded). */
  cachedUserKeys(): number {
    return this.userKeys.size;
  }

  textKey(text: string): string {
    return this.hash('text', normalizeText(text));
  }

  /** Keyed hash of a record's fingerprint (null: not a chat record). */
  recordKey(record: unknown): string | null {
    const fp = recordFingerprint(record);
    return fp === null ? null : this.hash('record', fp);
  }

  /** Remembers texts a user gave in a server (each variant as stored, e.g. raw and sanitized). */
  note(guildId: string | null, userId: string, texts: readonly string[]): Promise<void> {
    // Variants that normalize alike (raw and sanitized text are often the same) are hashed once.
    const normalized = new Set(texts.map(normalizeText).filter((t) => t.length >= MIN_CHARS));
    this.add(
      guildId,
      userId,
      [...normalized].map((t) => this.hash('text', t)),
    );
    return Promise.resolve();
  }

  /** Remembers whole records a user imported (`!train` with files), as stored; resolves once they are in the file. */
  async noteRecords(guildId: string | null, userId: string, records: readonly unknown[]): Promise<void> {
    if (
      this.add(
        guildId,
        userId,
        records.map((r) => this.recordKey(r)).filter((k): k is string => k !== null),
      )
    )
      await this.flush();
  }

  /** Writes every queued index line. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Flushes and closes the file (shutdown). */
  async close(): Promise<void> {
    await this.flush();
    await this.writer.close();
  }

  /** Number of files the index holds open (0 or 1). */
  openFiles(): number {
    return this.writer.openFiles();
  }

  /** Queues the new keys' lines; true if there were any. */
  private add(guildId: string | null, userId: string, keys: readonly string[]): boolean {
    const u = this.userKey(guildId, userId);
    const known = this.set(u);
    let lines = '';
    for (const t of keys) {
      if (known.has(t)) continue;
      known.add(t);
      lines += `${JSON.stringify({ u, t } satisfies IndexLine)}\n`;
    }
    this.writer.write(this.file, lines);
    return lines !== '';
  }

  textsOf(guildId: string | null, userId: string): ReadonlySet<string> {
    return this.byUser.get(this.userKey(guildId, userId)) ?? new Set();
  }

  /** Drops a user's entries (after `!forget me` removed what they matched). */
  drop(guildId: string | null, userId: string): Promise<void> {
    const u = this.userKey(guildId, userId);
    this.byUser.delete(u);
    // Queued lines are written first, then the file is rewritten before any later batch (the appender's
    // handle stays valid: writeFile truncates the same file and appends go to its new end).
    return this.writer.flush(async () => {
      const lines = [...this.byUser].flatMap(([user, texts]) => [...texts].map((t) => JSON.stringify({ u: user, t })));
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(this.file, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    });
  }

  private set(u: string): Set<string> {
    let s = this.byUser.get(u);
    if (!s) this.byUser.set(u, (s = new Set()));
    return s;
  }
}
