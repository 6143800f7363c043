import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
  return JSON.stringify(messages.map((m: { role?: unknown; content?: unknown }) => [
    String(m?.role ?? ''), typeof m?.content === 'string' ? normalizeText(m.content) : JSON.stringify(m?.content ?? null),
  ]));
}

/**
 * The private index of what each user contributed in each server, for `!forget me`. It lives in the
 * state folder (`state/privacy/contributions.jsonl`), outside the datasets, and holds only keyed hashes:
 * of (server, user) and of each normalized text. Without the privacy key it reveals neither IDs nor words.
 */
export class ContributionIndex {
  private readonly byUser = new Map<string, Set<string>>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly hash: KeyedHash,
  ) {}

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
    return this.hash('contributor', guildId ?? 'dm', userId);
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
    return this.add(guildId, userId, texts.filter((text) => normalizeText(text).length >= MIN_CHARS).map((text) => this.textKey(text)));
  }

  /** Remembers whole records a user imported (`!train` with files), as stored. */
  noteRecords(guildId: string | null, userId: string, records: readonly unknown[]): Promise<void> {
    return this.add(guildId, userId, records.map((r) => this.recordKey(r)).filter((k): k is string => k !== null));
  }

  private add(guildId: string | null, userId: string, keys: readonly string[]): Promise<void> {
    const u = this.userKey(guildId, userId);
    const known = this.set(u);
    const lines: string[] = [];
    for (const t of keys) {
      if (known.has(t)) continue;
      known.add(t);
      lines.push(JSON.stringify({ u, t } satisfies IndexLine));
    }
    if (lines.length === 0) return this.queue;
    return this.enqueue(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, `${lines.join('\n')}\n`, { mode: 0o600 });
    });
  }

  textsOf(guildId: string | null, userId: string): ReadonlySet<string> {
    return this.byUser.get(this.userKey(guildId, userId)) ?? new Set();
  }

  /** Drops a user's entries (after `!forget me` removed what they matched). */
  drop(guildId: string | null, userId: string): Promise<void> {
    const u = this.userKey(guildId, userId);
    this.byUser.delete(u);
    return this.enqueue(async () => {
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

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const job = this.queue.then(fn);
    this.queue = job.catch(() => undefined);
    return job;
  }
}
