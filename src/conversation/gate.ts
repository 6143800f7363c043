export type GateJob = () => Promise<void>;

export interface ChannelGateOptions {
  /** Receives errors thrown by jobs (they never reach `run`'s callers). Default: ignored. */
  onError?: (error: unknown, channelId: string) => void;
}

interface Slot {
  /** The latest job submitted while one was running, to run once when it finishes. */
  pending: GateJob | null;
  /** Callers whose job was coalesced into `pending`. */
  waiters: (() => void)[];
  /** Resolves when the channel has no job running any more. */
  idle: Promise<void>;
}

/**
 * At most one generation per channel at a time (Genbot's gatekeeping). A job submitted while
 * another runs in the same channel is not queued: it replaces any earlier waiting job, and only
 * the latest one runs once the current job finishes, so a burst of messages gets one new answer
 * that sees all of them. Channels are independent. A failing job is reported to `onError` and
 * never blocks the channel.
 */
export class ChannelGate {
  private readonly slots = new Map<string, Slot>();
  private readonly onError: (error: unknown, channelId: string) => void;

  constructor(opts: ChannelGateOptions = {}) {
    this.onError = opts.onError ?? (() => undefined);
  }

  /**
   * Runs or coalesces a job. The promise resolves once the job ran, or once the later job that
   * superseded it ran; it never rejects.
   */
  run(channelId: string, job: GateJob): Promise<void> {
    const slot = this.slots.get(channelId);
    if (slot) {
      slot.pending = job;
      return new Promise<void>((resolve) => slot.waiters.push(resolve));
    }
    let finished!: () => void;
    let ranFirst!: () => void;
    const first = new Promise<void>((resolve) => (ranFirst = resolve));
    const fresh: Slot = { pending: null, waiters: [], idle: new Promise<void>((resolve) => (finished = resolve)) };
    this.slots.set(channelId, fresh);
    void this.drive(channelId, fresh, job, [ranFirst]).finally(() => {
      this.slots.delete(channelId);
      finished();
    });
    return first;
  }

  /** True while a job runs in the channel. */
  busy(channelId: string): boolean {
    return this.slots.has(channelId);
  }

  /** Number of channels with a job running. */
  activeCount(): number {
    return this.slots.size;
  }

  /** Resolves when the channel has no job running (immediately if none). */
  idle(channelId: string): Promise<void> {
    return this.slots.get(channelId)?.idle ?? Promise.resolve();
  }

  private async drive(channelId: string, slot: Slot, job: GateJob, waiters: (() => void)[]): Promise<void> {
    let current: GateJob | null = job;
    let notify = waiters;
    while (current) {
      try {
        await current();
      } catch (error) {
        this.report(error, channelId);
      }
      for (const resolve of notify) resolve();
      current = slot.pending;
      notify = slot.waiters;
      slot.pending = null;
      slot.waiters = [];
    }
  }

  private report(error: unknown, channelId: string): void {
    try {
      this.onError(error, channelId);
    } catch {
      // a broken error handler must not wedge the gate
    }
  }
}
