/**
 * Per-user rate limit on LLM calls (`conversation.userRateLimit`): at most `count` calls in any
 * `perSeconds` window, as a sliding-window log of each user's admitted calls. `count: 0` turns it off.
 *
 * When a user goes over, the first refused call says `notify: true` (the caller sends one short
 * notice); further refusals say `notify: false` until the user has room again, so a flood gets a
 * single answer. Memory stays bounded by the users seen in the last window: idle entries are swept.
 */
export interface RateLimitSettings {
  /** Calls allowed per window per user; 0 = no limit. */
  count: number;
  perSeconds: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; notify: boolean; retryAfterSec: number };

interface UserWindow {
  /** Times of the admitted calls still inside the window, oldest first. */
  hits: number[];
  /** The user was told to slow down; no new notice before this time. */
  warnedUntil: number;
}

export class UserRateLimiter {
  private readonly users = new Map<string, UserWindow>();
  private readonly windowMs: number;
  private lastSweep: number;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
    /** Users never limited (bot owners). */
    private readonly exempt: (userId: string) => boolean = () => false,
  ) {
    this.windowMs = Math.max(1, settings.perSeconds) * 1000;
    this.lastSweep = now();
  }

  get enabled(): boolean {
    return this.settings.count > 0;
  }

  /**
   * Admits `cost` calls (default 1) for `userId` if the window has room for all of them (and records them). A refusal with
   * `warn: false` (e.g. an unprompted reaction) neither notifies nor uses up the user's one notice.
   */
  take(userId: string, opts: { warn?: boolean; cost?: number } = {}): RateVerdict {
    if (!this.enabled) return { allowed: true };
    const cost = Math.max(0, Math.floor(opts.cost ?? 1));
    if (cost === 0 || this.exempt(userId)) return { allowed: true };
    const t = this.now();
    this.sweep(t);
    const entry = this.users.get(userId) ?? { hits: [], warnedUntil: 0 };
    this.users.set(userId, entry);
    dropOlder(entry.hits, t - this.windowMs);
    if (entry.hits.length + cost <= this.settings.count) {
      for (let i = 0; i < cost; i++) entry.hits.push(t);
      return { allowed: true };
    }
    // A cost larger than the whole window can never fit: it waits a full window after the oldest hit.
    const oldest = entry.hits[Math.min(entry.hits.length - 1, Math.max(0, entry.hits.length + cost - this.settings.count - 1))];
    const freeAt = (oldest ?? t) + this.windowMs;
    const retryAfterSec = Math.max(1, Math.ceil((freeAt - t) / 1000));
    const warn = opts.warn ?? true;
    const notify = warn && t >= entry.warnedUntil;
    if (notify) entry.warnedUntil = freeAt;
    return { allowed: false, notify, retryAfterSec };
  }

  /** Users currently tracked (for tests and metrics). */
  trackedUsers(): number {
    return this.users.size;
  }

  /** At most once per window: forget users with no call in the window and no notice pending. */
  private sweep(t: number): void {
    if (t - this.lastSweep < this.windowMs) return;
    this.lastSweep = t;
    for (const [id, entry] of this.users) {
      dropOlder(entry.hits, t - this.windowMs);
      if (entry.hits.length === 0 && entry.warnedUntil <= t) this.users.delete(id);
    }
  }
}

function dropOlder(hits: number[], cutoff: number): void {
  let i = 0;
  while (i < hits.length && hits[i]! <= cutoff) i++;
  if (i > 0) hits.splice(0, i);
}

/** The one short notice a user gets when over the limit. */
export function rateLimitNotice(retryAfterSec: number): string {
  return `You're sending messages faster than I can answer; try again in ${retryAfterSec} s.`;
}
