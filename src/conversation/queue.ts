export interface BoundedQueueOptions {
  /** Jobs running at the same time. */
  concurrency: number;
  /** Jobs allowed to wait for a free slot; more are rejected at once. 0: never wait. */
  maxQueued: number;
}

export interface QueueStats {
  active: number;
  queued: number;
  concurrency: number;
  maxQueued: number;
  /** Jobs finished (resolved or rejected) since creation. */
  completed: number;
  /** Jobs turned away with QueueFullError since creation. */
  rejected: number;
}

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly maxQueued: number) {
    super(`too many requests waiting (limit ${maxQueued})`);
  }
}

/**
 * Global limiter for LLM requests: runs at most `concurrency` jobs at once, lets up to
 * `maxQueued` more wait in FIFO order, and rejects the rest immediately with QueueFullError
 * (so the caller can tell the user the bot is busy instead of hanging).
 */
export class BoundedQueue {
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private completed = 0;
  private rejected = 0;

  constructor(opts: BoundedQueueOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new RangeError(`queue concurrency must be a positive integer, got ${opts.concurrency}`);
    }
    if (!Number.isInteger(opts.maxQueued) || opts.maxQueued < 0) {
      throw new RangeError(`queue maxQueued must be a non-negative integer, got ${opts.maxQueued}`);
    }
    this.concurrency = opts.concurrency;
    this.maxQueued = opts.maxQueued;
  }

  /** Runs `fn` when a slot is free; its result or error is passed through. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) {
        this.rejected++;
        throw new QueueFullError(this.maxQueued);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      this.completed++;
      this.release();
    }
  }

  stats(): QueueStats {
    return {
      active: this.active,
      queued: this.waiting.length,
      concurrency: this.concurrency,
      maxQueued: this.maxQueued,
      completed: this.completed,
      rejected: this.rejected,
    };
  }

  /** Hands the finished job's slot straight to the next waiter (so `active` never dips in between). */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
