/** Test doubles for time-dependent conversation modules: a manual clock and a pushable async stream. */

export const flush = async (rounds = 5): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

export class FakeClock {
  t = 0;
  private timers: { at: number; resolve: () => void }[] = [];
  readonly now = (): number => this.t;
  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.timers.push({ at: this.t + ms, resolve });
    });

  /** Moves time forward, firing due timers in order and letting the code under test react. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.resolve();
    }
    this.t = end;
    await flush();
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}

/** An async iterable fed by the test: push text, then end() or fail(). */
export class Feed implements AsyncIterable<string> {
  private queue: ({ value: string } | { end: true } | { error: unknown })[] = [];
  private waiter: (() => void) | null = null;
  returned = false;

  push(value: string): void {
    this.queue.push({ value });
    this.wake();
  }
  end(): void {
    this.queue.push({ end: true });
    this.wake();
  }
  fail(error: unknown): void {
    this.queue.push({ error });
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    try {
      for (;;) {
        const item = this.queue.shift();
        if (!item) {
          await new Promise<void>((resolve) => (this.waiter = resolve));
          continue;
        }
        if ('end' in item) return;
        if ('error' in item) throw item.error;
        yield item.value;
      }
    } finally {
      this.returned = true;
    }
  }
}
