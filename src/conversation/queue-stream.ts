import type { BoundedQueue } from './queue.js';

/**
 * Runs a stream inside one slot of the bounded queue and relays its items as they come, so
 * streamed generations count against the same global limit as the others.
 */
export async function* throughQueue<T>(queue: BoundedQueue, source: AsyncIterable<T>): AsyncIterable<T> {
  const items: T[] = [];
  let finished = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const job = queue.run(async () => {
    for await (const item of source) {
      items.push(item);
      notify();
    }
  });
  job.then(
    () => {
      finished = true;
      notify();
    },
    (error: unknown) => {
      failure = { error };
      finished = true;
      notify();
    },
  );
  for (;;) {
    if (items.length > 0) {
      yield items.shift()!;
      continue;
    }
    if (finished) break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
  if (failure) throw (failure as { error: unknown }).error;
}
