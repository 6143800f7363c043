/** One remembered chat message of a channel, as the prompt builder sees it. */
export interface HistoryEntry {
  role: 'user' | 'assistant';
  /** Display name of the speaker (never a user ID). */
  speaker: string;
  content: string;
  /** Epoch milliseconds the message was written. */
  at: number;
  /** Platform message ID; entries with an ID already present are ignored. */
  messageId?: string;
}

export interface ChannelHistoriesOptions {
  /** Entries kept per channel; the oldest are dropped beyond it. */
  max: number;
  /** A channel without appends for longer than this is forgotten. */
  ttlMs: number;
  now?: () => number;
}

const SWEEP_EVERY_MS = 60_000;

interface Channel {
  entries: HistoryEntry[];
  ids: Set<string>;
  lastActive: number;
}

/**
 * Short-term memory of recent messages per channel, in memory only. Entries are kept in `at`
 * order (a late backfill slots in before newer live messages). An expired channel is forgotten
 * when next accessed; all channels are swept by `prune()`, `size()` and about once a minute.
 */
export class ChannelHistories {
  private readonly channels = new Map<string, Channel>();
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(opts: ChannelHistoriesOptions) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError(`history max must be a positive integer, got ${opts.max}`);
    if (!(opts.ttlMs > 0)) throw new RangeError(`history ttlMs must be positive, got ${opts.ttlMs}`);
    this.max = opts.max;
    this.ttlMs = opts.ttlMs;
    this.now = opts.now ?? Date.now;
  }

  /** Adds an entry; returns false when its messageId is already remembered (nothing changes then). */
  append(channelId: string, entry: HistoryEntry): boolean {
    const channel = this.live(channelId) ?? this.create(channelId);
    channel.lastActive = this.now();
    if (entry.messageId !== undefined && channel.ids.has(entry.messageId)) return false;
    const stored = { ...entry };
    let i = channel.entries.length;
    while (i > 0 && (channel.entries[i - 1]?.at ?? 0) > stored.at) i--;
    channel.entries.splice(i, 0, stored);
    if (stored.messageId !== undefined) channel.ids.add(stored.messageId);
    while (channel.entries.length > this.max) {
      const dropped = channel.entries.shift();
      if (dropped?.messageId !== undefined) channel.ids.delete(dropped.messageId);
    }
    return true;
  }

  /** Replaces the content of a remembered message (e.g. after an edit); false when unknown. */
  update(channelId: string, messageId: string, content: string): boolean {
    const entry = this.live(channelId)?.entries.find((e) => e.messageId === messageId);
    if (!entry) return false;
    entry.content = content;
    return true;
  }

  /** Forgets one remembered message (e.g. a reply rated 👎); false when unknown. */
  remove(channelId: string, messageId: string): boolean {
    const channel = this.live(channelId);
    const i = channel?.entries.findIndex((e) => e.messageId === messageId) ?? -1;
    if (!channel || i < 0) return false;
    channel.entries.splice(i, 1);
    channel.ids.delete(messageId);
    return true;
  }

  /** The channel's entries, oldest first (a copy). */
  get(channelId: string): HistoryEntry[] {
    return (this.live(channelId)?.entries ?? []).map((e) => ({ ...e }));
  }

  has(channelId: string): boolean {
    return this.live(channelId) !== undefined;
  }

  /** Forgets one channel (e.g. a "reset" command). */
  clear(channelId: string): void {
    this.channels.delete(channelId);
  }

  /** Drops every channel inactive for longer than the TTL; returns how many were dropped. */
  prune(): number {
    const now = this.now();
    let dropped = 0;
    for (const [id, channel] of this.channels) {
      if (now - channel.lastActive > this.ttlMs) {
        this.channels.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** Number of channels remembered (after pruning). */
  size(): number {
    this.prune();
    return this.channels.size;
  }

  /** The channel if it has not expired; sweeps all channels now and then. */
  private live(channelId: string): Channel | undefined {
    const now = this.now();
    if (now - this.lastSweep >= Math.min(this.ttlMs, SWEEP_EVERY_MS)) {
      this.lastSweep = now;
      this.prune();
    }
    const channel = this.channels.get(channelId);
    if (channel && now - channel.lastActive > this.ttlMs) {
      this.channels.delete(channelId);
      return undefined;
    }
    return channel;
  }

  private create(channelId: string): Channel {
    const channel: Channel = { entries: [], ids: new Set(), lastActive: this.now() };
    this.channels.set(channelId, channel);
    return channel;
  }
}

/** A decision on one of the bot's replies (see FeedbackService): 👎 drops it, a correction replaces it. */
export interface ReplyDecision {
  channelId: string;
  messageId: string;
  verdict: { kind: 'up' | 'down' } | { kind: 'corrected'; text: string };
}

/** Keeps the live history in line with a decision, so the next prompt never repeats a rejected answer. */
export function applyDecision(histories: ChannelHistories, d: ReplyDecision): void {
  if (d.verdict.kind === 'down') histories.remove(d.channelId, d.messageId);
  else if (d.verdict.kind === 'corrected') histories.update(d.channelId, d.messageId, d.verdict.text);
}
