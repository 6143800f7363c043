/**
 * One CandidateStore per writer (issue 13: no file has two writers). A server's candidates live in
 * `guilds/<G>/candidates.jsonl`, written only by the process owning G (its shard); DM and console candidates in
 * `state/candidates.jsonl`, written only by the process owning DMs (shard 0, or the one unsharded process).
 * That DM file is also the pre-sharding journal of every server: a process that does not own it replays it
 * read-only, and a server's old candidate is adopted (copied whole) into the server's own file before anything is
 * decided about it, so a 👍, a correction or `!forget me` on an old reply is journaled by the server's shard and
 * survives a restart and a reshard (the server's file moves with the server). The router has the CandidateStore
 * API, so FeedbackService and the tenants take it unchanged.
 */
import { readdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { MentionNames } from '../conversation/sanitize.js';
import { CandidateStore, type Candidate, type Verdict } from './candidates.js';

export interface CandidateRouterOptions {
  /** DM and console candidates; also the pre-sharding journal of every server. */
  dmFile: string;
  /** A server's own journal (`guilds/<G>/candidates.jsonl`). */
  guildFile: (guildId: string) => string;
  /** The folder holding one folder per server (`guilds/`), scanned by `load()` for journals this process owns. */
  guildsDir: string;
  /** This process writes DM/console candidates (shard 0 or unsharded). */
  ownsDms: boolean;
  /** This process writes the server's files (its shard). */
  ownsGuild: (guildId: string) => boolean;
  /** The server of the event being handled (TenantContext), for calls that name none. */
  guildOf?: () => string | null;
  /** Candidates kept in memory over all stores (default 5,000, least recently added forgotten first). */
  max?: number;
  names?: MentionNames;
  log?: Logger;
}

const GUILD_ID = /^\d{15,25}$/;

export class CandidateRouter extends CandidateStore {
  private readonly dm: CandidateStore;
  private readonly guilds = new Map<string, CandidateStore>();
  /** Every remembered candidate → its store, least recently added first: one memory bound for all stores. */
  private readonly order = new Map<string, CandidateStore>();
  private readonly cap: number;

  constructor(private readonly r: CandidateRouterOptions) {
    super({ max: r.max, names: r.names, log: r.log });
    this.cap = Math.max(1, Math.floor(r.max ?? 5000));
    this.dm = new CandidateStore({ file: r.dmFile, readOnly: !r.ownsDms, max: r.max, names: r.names, log: r.log });
  }

  override get size(): number {
    let n = this.dm.size;
    for (const s of this.guilds.values()) n += s.size;
    return n;
  }

  /** The journal a candidate of `guildId` (null: DM/console) is written to. */
  fileOf(guildId: string | null): string {
    return guildId && GUILD_ID.test(guildId) ? this.r.guildFile(guildId) : this.r.dmFile;
  }

  /** Replays the DM journal (read-only unless owned) and the journal of every server this process owns. */
  override async load(): Promise<number> {
    await this.dm.load();
    const names = await readdir(this.r.guildsDir).catch(() => [] as string[]);
    for (const g of names) if (GUILD_ID.test(g) && this.r.ownsGuild(g)) await this.storeOf(g).load();
    const all = this.stores().flatMap((s) => s.ids().map((c) => ({ ...c, s })));
    for (const c of all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) this.track(c.s, c.messageId);
    return this.size;
  }

  override ids(): { messageId: string; at: string }[] {
    return this.stores().flatMap((s) => s.ids());
  }

  override evict(messageId: string): void {
    this.find(messageId)?.evict(messageId);
  }

  /** Stores a candidate in its server's journal (`guildId` on the input, else the event's server). */
  override add(input: Candidate & { guildId?: string | null }): Promise<Candidate> {
    const g = input.guildId !== undefined ? input.guildId : this.hint();
    const s = this.target(g);
    const added = s.add(input);
    this.track(s, input.messageId);
    return added;
  }

  override has(messageId: string): boolean {
    return this.find(messageId) !== undefined;
  }

  override wasDropped(messageId: string): boolean {
    return this.stores().some((s) => s.wasDropped(messageId));
  }

  override adopt(candidate: Candidate): Promise<void> {
    return this.target(this.hint()).adopt(candidate);
  }

  override get(messageId: string): Candidate | undefined {
    return this.find(messageId)?.get(messageId);
  }

  override latestIn(channelId: string): string | undefined {
    for (const s of [...this.guildOrder(), this.dm]) {
      const id = s.latestIn(channelId);
      if (id !== undefined && !this.wasDropped(id)) return id;
    }
    return undefined;
  }

  override verdictOf(messageId: string): Verdict | undefined {
    return this.find(messageId)?.verdictOf(messageId);
  }

  override claim(messageId: string, verdict: Verdict): { candidate: Candidate; prior: Verdict | undefined } | undefined {
    return this.writable(messageId)?.claim(messageId, verdict);
  }

  override revert(messageId: string, prior: Verdict | undefined): void {
    this.find(messageId)?.revert(messageId, prior);
  }

  /**
   * Forgets a candidate for good. One found only in the DM (pre-sharding) journal is never copied (its text must
   * go): the event's server journals a tombstone, and the DM store drops it (journaled where this process owns it).
   */
  override async drop(messageId: string): Promise<void> {
    const s = this.find(messageId);
    if (!s) return;
    this.order.delete(s.get(messageId)?.messageId ?? messageId);
    if (s !== this.dm) return s.drop(messageId);
    const id = this.dm.get(messageId)?.messageId ?? messageId;
    const g = this.hint();
    if (g) await this.storeOf(g).tombstone(id);
    await this.dm.drop(id);
  }

  override tombstone(messageId: string): Promise<void> {
    return this.target(this.hint()).tombstone(messageId);
  }

  /** Removes these candidates' lines from every journal this process writes (CandidateStore.purge). */
  override async purge(messageIds: ReadonlySet<string>): Promise<number> {
    for (const id of messageIds) this.order.delete(id);
    const counts = await Promise.all(this.stores().map((s) => s.purge(messageIds)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Removes these candidates' lines from the DM (pre-sharding shared) journal, where this process writes it: what
   * `!forget me` hid on another shard leaves the shared file (src/privacy/shared-forget.ts). Returns the lines removed.
   */
  purgeShared(messageIds: ReadonlySet<string>): Promise<number> {
    for (const id of messageIds) if (this.order.get(id) === this.dm) this.order.delete(id);
    return this.dm.purge(messageIds);
  }

  override async persist(messageId: string): Promise<void> {
    await this.find(messageId)?.persist(messageId);
  }

  override async flush(): Promise<void> {
    await Promise.all(this.stores().map((s) => s.flush()));
  }

  override async close(): Promise<void> {
    await Promise.all(this.stores().map((s) => s.close()));
  }

  private hint(): string | null {
    const g = this.r.guildOf?.() ?? null;
    return g && GUILD_ID.test(g) ? g : null;
  }

  /** The store new candidates of `guildId` go to. */
  private target(guildId: string | null): CandidateStore {
    return guildId && GUILD_ID.test(guildId) ? this.storeOf(guildId) : this.dm;
  }

  private storeOf(guildId: string): CandidateStore {
    let s = this.guilds.get(guildId);
    if (!s) {
      const owned = this.r.ownsGuild(guildId);
      if (!owned) this.r.log?.warn({ guild: guildId }, 'candidates of a server this process does not own are kept in memory only');
      s = new CandidateStore({ file: owned ? this.r.guildFile(guildId) : undefined, max: this.r.max, names: this.r.names, log: this.r.log });
      this.guilds.set(guildId, s);
    }
    return s;
  }

  private stores(): CandidateStore[] {
    return [...this.guilds.values(), this.dm];
  }

  /** Server stores, the event's server first. */
  private guildOrder(): CandidateStore[] {
    const g = this.hint();
    const first = g ? this.guilds.get(g) : undefined;
    return first ? [first, ...[...this.guilds.values()].filter((s) => s !== first)] : [...this.guilds.values()];
  }

  /** The store remembering `messageId`: a server's own first; the DM (legacy) journal unless a server dropped it. */
  private find(messageId: string): CandidateStore | undefined {
    for (const s of this.guildOrder()) {
      if (s.has(messageId)) return s;
      if (s.wasDropped(messageId)) return undefined;
    }
    return this.dm.has(messageId) ? this.dm : undefined;
  }

  /**
   * The store to decide `messageId` in: where it is, unless that is the DM (legacy) journal while a server's event
   * is handled: then the server adopts it first (its own file records the decision).
   */
  private writable(messageId: string): CandidateStore | undefined {
    const s = this.find(messageId);
    const g = this.hint();
    if (s !== this.dm || !g) return s;
    const c = this.dm.get(messageId);
    if (!c) return undefined;
    const own = this.storeOf(g);
    own.adopt(c).catch((err: unknown) => this.r.log?.warn({ err, guild: g }, 'could not adopt a pre-sharding candidate'));
    this.dm.evict(c.messageId); // one copy in memory (the DM journal still holds it)
    this.track(own, c.messageId);
    return own;
  }

  /** Notes a candidate as the most recently added; beyond the bound the least recent is forgotten from memory. */
  private track(store: CandidateStore, messageId: string): void {
    this.order.delete(messageId);
    this.order.set(messageId, store);
    while (this.order.size > this.cap) {
      const [oldest, s] = this.order.entries().next().value as [string, CandidateStore];
      this.order.delete(oldest);
      s.evict(oldest);
    }
  }
}
