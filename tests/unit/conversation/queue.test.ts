import { describe, expect, test } from 'vitest';
import { BoundedQueue, QueueFullError } from '../../../src/conversation/queue.js';
import { flush } from './fakes.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('BoundedQueue', () => {
  test('runs up to `concurrency` jobs at once and passes results through', async () => {
    const q = new BoundedQueue({ concurrency: 2, maxQueued: 10 });
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()];
    const started: number[] = [];
    const results = gates.map((g, i) =>
      q.run(() => {
        started.push(i);
        return g.promise;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect(q.stats()).toMatchObject({ active: 2, queued: 1 });
    gates[1]!.resolve(11);
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect(q.stats()).toMatchObject({ active: 2, queued: 0, completed: 1 });
    gates[0]!.resolve(10);
    gates[2]!.resolve(12);
    expect(await Promise.all(results)).toEqual([10, 11, 12]);
    expect(q.stats()).toEqual({ active: 0, queued: 0, concurrency: 2, maxQueued: 10, completed: 3, rejected: 0 });
  });

  test('rejects immediately with QueueFullError when the waiting room is full', async () => {
    const q = new BoundedQueue({ concurrency: 1, maxQueued: 1 });
    const hold = deferred();
    const running = q.run(() => hold.promise);
    const waiting = q.run(async () => 'second');
    let ran = false;
    const third = q.run(async () => {
      ran = true;
    });
    await expect(third).rejects.toBeInstanceOf(QueueFullError);
    await expect(third).rejects.toThrow(/limit 1/);
    expect(ran).toBe(false);
    expect(q.stats()).toMatchObject({ active: 1, queued: 1, rejected: 1 });
    hold.resolve();
    await running;
    expect(await waiting).toBe('second');
  });

  test('maxQueued 0 never lets a job wait', async () => {
    const q = new BoundedQueue({ concurrency: 1, maxQueued: 0 });
    const hold = deferred();
    void q.run(() => hold.promise);
    await expect(q.run(async () => 1)).rejects.toBeInstanceOf(QueueFullError);
    hold.resolve();
  });

  test('waiting jobs start in FIFO order', async () => {
    const q = new BoundedQueue({ concurrency: 1, maxQueued: 5 });
    const order: number[] = [];
    const hold = deferred();
    const first = q.run(() => hold.promise);
    const rest = [1, 2, 3, 4].map((i) => q.run(async () => void order.push(i)));
    hold.resolve();
    await Promise.all([first, ...rest]);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  test('a failing job frees its slot and its error reaches the caller', async () => {
    const q = new BoundedQueue({ concurrency: 1, maxQueued: 1 });
    const failing = q.run(async () => {
      throw new Error('llm 500');
    });
    const next = q.run(async () => 'ok');
    await expect(failing).rejects.toThrow('llm 500');
    expect(await next).toBe('ok');
    const syncThrow = q.run(() => {
      throw new Error('sync');
    });
    await expect(syncThrow).rejects.toThrow('sync');
    expect(q.stats()).toMatchObject({ active: 0, queued: 0, completed: 3 });
  });

  test('never exceeds the concurrency under a burst', async () => {
    const q = new BoundedQueue({ concurrency: 3, maxQueued: 100 });
    let running = 0;
    let max = 0;
    const jobs = Array.from({ length: 40 }, (_, i) =>
      q.run(async () => {
        running++;
        max = Math.max(max, running);
        for (let k = 0; k < (i % 4) + 1; k++) await flush(1);
        running--;
        return i;
      }),
    );
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(max).toBe(3);
  });

  test('rejects invalid options', () => {
    expect(() => new BoundedQueue({ concurrency: 0, maxQueued: 1 })).toThrow(RangeError);
    expect(() => new BoundedQueue({ concurrency: 1, maxQueued: -1 })).toThrow(RangeError);
    expect(() => new BoundedQueue({ concurrency: 1.5, maxQueued: 1 })).toThrow(RangeError);
  });
});
