/**
 * Fine-tuning jobs waiting for a click on "Start" under their dataset report. A pending job belongs to the user who
 * asked for it (an admin who passed the command's checks) and expires after 15 minutes; its files are deleted then.
 */
import { randomBytes } from 'node:crypto';
import type { FineTuneService, PreparedJob } from '../finetune/index.js';

export interface PendingStart {
  token: string;
  prepared: PreparedJob;
  userId: string;
  channelId: string;
  /** The server whose job this is (delegated fine-tuning), null for the bot owners' job. */
  guildId?: string | null;
  /** The report message carrying the buttons. */
  messageId: string | null;
  expiresAt: number;
}

export const CONFIRM_PREFIX = 'eos:ft:go:';
export const DECLINE_PREFIX = 'eos:ft:no:';
const TTL_MS = 15 * 60_000;

export class PendingFineTunes {
  private readonly pending = new Map<string, PendingStart>();

  constructor(
    private readonly service: FineTuneService,
    private readonly now: () => number = Date.now,
  ) {}

  add(p: Omit<PendingStart, 'token' | 'expiresAt' | 'messageId'>): PendingStart {
    this.sweep();
    const entry: PendingStart = { ...p, token: randomBytes(6).toString('hex'), messageId: null, expiresAt: this.now() + TTL_MS };
    this.pending.set(entry.token, entry);
    return entry;
  }

  /** The pending job of `token` when `userId` may confirm it; a reason otherwise. Removes it. */
  take(token: string, userId: string): PendingStart | 'gone' | 'not-yours' {
    this.sweep();
    const p = this.pending.get(token);
    if (!p) return 'gone';
    if (p.userId !== userId) return 'not-yours';
    this.pending.delete(token);
    return p;
  }

  /** Who may confirm `token` (undefined when it is unknown or expired). */
  owner(token: string): string | undefined {
    return this.pending.get(token)?.userId;
  }

  /** The newest pending job of a user in a scope (for `train confirm` where there are no buttons). */
  latest(userId: string, guildId: string | null = null): string | null {
    this.sweep();
    return [...this.pending.values()].filter((p) => p.userId === userId && (p.guildId ?? null) === guildId).at(-1)?.token ?? null;
  }

  private sweep(): void {
    for (const [token, p] of this.pending) {
      if (p.expiresAt > this.now()) continue;
      this.pending.delete(token);
      void this.service.discard(p.prepared);
    }
  }
}
