import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BatchedWriter, type BatchedWriterOptions } from '../datasets/batched-writer.js';
import type { KeyedHash } from './secret.js';

interface IndexLine {
  /** Keyed hash of (server, user). */
  u: string;
  /** Keyed hash of one normalized text the user contributed. */
  t?: string;
  /** Tombstone: the user's entries in the DM (pre-sharding) index, read-only here, are forgotten. */
  forgot?: 1;
}

/** Where the index lines of each server go, and which of those files this process writes. */
export interface IndexLayout {
  /** DMs and the console; also the pre-sharding index of every server (replayed read-only unless `ownsDms`). */
  dmFile: string;
  /** A server's own index (`guilds/<G>/privacy/contributions.jsonl`); absent: every line in `dmFile`. */
  guildFile?: (guildId: string) => string;
  /** `guilds/`, scanned by `load()` for the indexes of the servers this process owns. */
  guildsDir?: string;
  /** Default true (one process). */
  ownsDms?: boolean;
  /** Default: every server. */
  ownsGuild?: (guildId: string) => boolean;
}

const GUILD_ID = /^\d{15,25}$/;

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
 * The private index of what each user contributed in each server, for `!forget me`. It lives outside the
 * datasets, one file per writer: a server's in `guilds/<G>/privacy/contributions.jsonl` (written only by the
 * process owning G, its shard), DMs' in `state/privacy/contributions.jsonl` (shard 0). That DM file is also the
 * pre-sharding index of every server: replayed read-only by the others, and a user forgotten in a server where it
 * cannot be rewritten gets a tombstone line in the server's own file. Lines hold only keyed hashes: of
 * (server, user) and of each normalized text. Without the privacy key they reveal neither IDs nor words.
 *
 * Cost per observed message: the user's key comes from a bounded LRU cache (in memory only), and lines go
 * through a BatchedWriter (open files kept, one folder creation, group-committed appends). Durability: texts
 * noted for observed messages follow the conversation log's rule (queued lines are lost on SIGKILL, like the
 * log lines they index); noteRecords() and drop() resolve only once their lines are in the file.
 */
export class ContributionIndex {
  /** file → user key → text keys, as the file holds them. */
  private readonly files = new Map<string, Map<string, Set<string>>>();
  /** file → user keys whose DM-file (pre-sharding) entries that file declares forgotten. */
  private readonly tombstones = new Map<string, Set<string>>();
  private readonly writer: BatchedWriter;
  /** `guild\0user` → keyed hash, least recently used first. */
  private readonly userKeys = new Map<string, string>();
  private readonly userKeyCache: number;
  private readonly layout: Required<Omit<IndexLayout, 'guildFile' | 'guildsDir'>> & Pick<IndexLayout, 'guildFile' | 'guildsDir'>;
  private warnedReadOnly = false;
  private readonly log: { warn(obj: object, msg: string): void } | undefined;

  constructor(
    layout: string | IndexLayout,
    private readonly hash: KeyedHash,
    opts: { userKeyCache?: number; writer?: BatchedWriterOptions; log?: { warn(obj: object, msg: string): void } } = {},
  ) {
    const l = typeof layout === 'string' ? { dmFile: layout } : layout;
    this.layout = { ownsDms: true, ownsGuild: () => true, ...l };
    this.userKeyCache = Math.max(1, opts.userKeyCache ?? 10_000);
    // One file per server: as many kept open as the conversation log keeps (BatchedWriter default), one without servers.
    this.writer = new BatchedWriter({ ...(l.guildFile ? {} : { maxOpen: 1 }), mode: 0o600, ...opts.writer });
    this.log = opts.log;
  }

  /** Replays the DM index and the index of every server this process owns (torn or blank lines skipped). */
  async load(): Promise<void> {
    await this.loadFile(this.layout.dmFile);
    if (!this.layout.guildFile || !this.layout.guildsDir) return;
    for (const g of await readdir(this.layout.guildsDir).catch(() => [] as string[]))
      if (GUILD_ID.test(g) && this.layout.ownsGuild(g)) await this.loadFile(this.layout.guildFile(g));
  }

  /** The index file a server's lines go to (null: DMs and the console). */
  fileOf(guildId: string | null): string {
    return guildId && this.layout.guildFile && GUILD_ID.test(guildId) ? this.layout.guildFile(guildId) : this.layout.dmFile;
  }

  private async loadFile(file: string): Promise<void> {
    const text = await readFile(file, 'utf8').catch(() => '');
    const users = this.usersIn(file);
    for (const line of text.split('\n')) {
      let l: IndexLine;
      try {
        l = JSON.parse(line) as IndexLine;
      } catch {
        continue; // blank or torn line
      }
      if (typeof l?.u !== 'string') continue;
      if (l.forgot === 1 && file !== this.layout.dmFile) {
        this.files.get(this.layout.dmFile)?.delete(l.u);
        this.tombstonesIn(file).add(l.u);
      } else if (typeof l.t === 'string') {
        let set = users.get(l.u);
        if (!set) users.set(l.u, (set = new Set()));
        set.add(l.t);
      }
    }
  }

  private writes(file: string, guildId: string | null): boolean {
    const owned = file === this.layout.dmFile ? this.layout.ownsDms : guildId !== null && this.layout.ownsGuild(guildId);
    if (!owned && !this.warnedReadOnly) {
      this.warnedReadOnly = true;
      this.log?.warn({ file }, 'contribution index of DMs or of a server this process does not own: kept in memory only');
    }
    return owned;
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

  /** Queues the new keys' lines in the server's own file; true if there were any. */
  private add(guildId: string | null, userId: string, keys: readonly string[]): boolean {
    const u = this.userKey(guildId, userId);
    const file = this.fileOf(guildId);
    const users = this.usersIn(file);
    let known = users.get(u);
    if (!known) users.set(u, (known = new Set()));
    let lines = '';
    for (const t of keys) {
      if (known.has(t)) continue;
      known.add(t);
      lines += `${JSON.stringify({ u, t } satisfies IndexLine)}\n`;
    }
    if (lines === '') return false;
    if (this.writes(file, guildId)) this.writer.write(file, lines);
    return true;
  }

  /** Every text key of the user in the server: its own index, and the DM (pre-sharding) index. */
  textsOf(guildId: string | null, userId: string): ReadonlySet<string> {
    const u = this.userKey(guildId, userId);
    const out = new Set<string>();
    for (const f of new Set([this.fileOf(guildId), this.layout.dmFile])) for (const t of this.files.get(f)?.get(u) ?? []) out.add(t);
    return out;
  }

  /** Drops a user's entries (after `!forget me` removed what they matched). */
  drop(guildId: string | null, userId: string): Promise<void> {
    const u = this.userKey(guildId, userId);
    const file = this.fileOf(guildId);
    const dm = this.layout.dmFile;
    this.usersIn(file).delete(u);
    const rewrite = [file];
    if (file !== dm && this.files.get(dm)?.delete(u)) {
      // Its pre-sharding entries: rewritten away where this process owns the DM file, else a tombstone in the server's.
      if (this.layout.ownsDms) rewrite.push(dm);
      else this.tombstonesIn(file).add(u);
    }
    const mine = rewrite.filter((f) => this.writes(f, f === dm ? null : guildId));
    // Queued lines are written first, then the files are rewritten before any later batch (the appender's
    // handle stays valid: writeFile truncates the same file and appends go to its new end).
    return this.writer.flush(async () => {
      for (const f of mine) {
        const lines = [
          ...[...(this.tombstones.get(f) ?? [])].map((user) => JSON.stringify({ u: user, forgot: 1 } satisfies IndexLine)),
          ...[...this.usersIn(f)].flatMap(([user, texts]) => [...texts].map((t) => JSON.stringify({ u: user, t } satisfies IndexLine))),
        ];
        await mkdir(path.dirname(f), { recursive: true });
        await writeFile(f, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
      }
    });
  }

  /** The user's key if the DM (pre-sharding) index holds entries of theirs for this server (null: none, or a DM). */
  sharedEntriesOf(guildId: string | null, userId: string): string | null {
    if (this.fileOf(guildId) === this.layout.dmFile) return null;
    const u = this.userKey(guildId, userId);
    return this.files.get(this.layout.dmFile)?.has(u) ? u : null;
  }

  /**
   * Removes these users' lines from the DM (pre-sharding shared) index, which only the process owning it rewrites:
   * what `!forget me` hid on another shard by a tombstone leaves the shared file. Returns the lines removed.
   */
  async forgetShared(userKeys: readonly string[]): Promise<number> {
    const dm = this.layout.dmFile;
    const gone = new Set(userKeys);
    for (const u of gone) this.files.get(dm)?.delete(u);
    if (!this.layout.ownsDms || gone.size === 0) return 0;
    let removed = 0;
    await this.writer.flush(async () => {
      const text = await readFile(dm, 'utf8').catch(() => '');
      const kept = text.split('\n').filter((line) => {
        if (!line) return false;
        let u: unknown;
        try {
          u = (JSON.parse(line) as IndexLine | null)?.u;
        } catch {
          return true; // a torn line holds no whole key
        }
        const hit = typeof u === 'string' && gone.has(u);
        if (hit) removed++;
        return !hit;
      });
      // Same file (an open appender's handle stays valid), as drop() rewrites it.
      if (removed > 0) await writeFile(dm, kept.map((l) => `${l}\n`).join(''), { mode: 0o600 });
    });
    return removed;
  }

  private usersIn(file: string): Map<string, Set<string>> {
    let m = this.files.get(file);
    if (!m) this.files.set(file, (m = new Map<string, Set<string>>()));
    return m;
  }

  private tombstonesIn(file: string): Set<string> {
    let s = this.tombstones.get(file);
    if (!s) this.tombstones.set(file, (s = new Set<string>()));
    return s;
  }
}
