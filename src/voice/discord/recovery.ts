/**
 * When receiving goes wrong under DAVE, what to do about it, bounded. Incidents are counted in a sliding window:
 * a receive stream that died on a decryption error, a burst of `burstPackets` packets that failed DAVE decryption,
 * the library re-initialising DAVE by itself. Past `threshold` incidents in `windowMs`, the first remedy is to
 * re-initialise DAVE (op 31 + a new key package: the server removes and re-adds the bot); if incidents go on, leave
 * and rejoin the channel. Remedies are `cooldownMs` apart and at most `maxRemedies` per `budgetMs`.
 * Also keeps the recent recoveries for `!voice`.
 */

export type RecoveryKind = 'protocol-error' | 'resubscribe' | 'dave-reinit' | 'rejoin' | 'library-reinit';

export interface RecoveryRecord {
  at: number;
  kind: RecoveryKind;
  detail: string;
}

export interface RecoveryPolicyOptions {
  /** Incidents in the window that call for a remedy. Default 3. */
  threshold?: number;
  /** Default 30000. */
  windowMs?: number;
  /** Failed packets that count as one incident. Default 50 (1 s of audio). */
  burstPackets?: number;
  /** Default 10000. */
  cooldownMs?: number;
  /** Default 4 remedies per budgetMs (default 10 minutes). */
  maxRemedies?: number;
  budgetMs?: number;
  now?: () => number;
}

export type Remedy = 'dave-reinit' | 'rejoin';

export class RecoveryPolicy {
  private incidents: number[] = [];
  private remedies: { at: number; kind: Remedy }[] = [];
  private failedPackets = 0;
  readonly recent: RecoveryRecord[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: RecoveryPolicyOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** Notes something that happened (shown by !voice; at most 20 kept). */
  record(kind: RecoveryKind, detail: string): RecoveryRecord {
    const r = { at: this.now(), kind, detail };
    this.recent.push(r);
    if (this.recent.length > 20) this.recent.shift();
    return r;
  }

  /** One packet failed DAVE decryption; returns a remedy when this completes a burst that tips the window. */
  packetFailed(): Remedy | null {
    this.failedPackets++;
    if (this.failedPackets % (this.opts.burstPackets ?? 50) !== 0) return null;
    return this.incident();
  }

  /** A stream died on a decryption error, or the library re-initialised: returns a remedy when one is due. */
  incident(): Remedy | null {
    const now = this.now();
    const windowMs = this.opts.windowMs ?? 30_000;
    this.incidents = [...this.incidents.filter((t) => now - t < windowMs), now];
    if (this.incidents.length < (this.opts.threshold ?? 3)) return null;
    const budgetMs = this.opts.budgetMs ?? 600_000;
    this.remedies = this.remedies.filter((r) => now - r.at < budgetMs);
    const last = this.remedies.at(-1);
    if (last && now - last.at < (this.opts.cooldownMs ?? 10_000)) return null;
    if (this.remedies.length >= (this.opts.maxRemedies ?? 4)) return null;
    const kind: Remedy = last && now - last.at < windowMs * 2 ? 'rejoin' : 'dave-reinit';
    this.remedies.push({ at: now, kind });
    this.incidents = [];
    return kind;
  }
}
