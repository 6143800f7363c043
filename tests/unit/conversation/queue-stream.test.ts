import { expect, test } from 'vitest';
import { BoundedQueue } from '../../../src/conversation/queue.js';
import { throughQueue } from '../../../src/conversation/queue-stream.js';

async function* slow(items: string[], fail?: Error) {
  for (const i of items) {
    await new Promise((r) => setTimeout(r, 5));
    yield i;
  }
  if (fail) throw fail;
}

test('relays every item in order while holding one queue slot', async () => {
  const queue = new BoundedQueue({ concurrency: 1, maxQueued: 10 });
  const seen: string[] = [];
  const during: number[] = [];
  for await (const x of throughQueue(queue, slow(['a', 'b', 'c']))) {
    seen.push(x);
    during.push(queue.stats().active);
  }
  expect(seen).toEqual(['a', 'b', 'c']);
  expect(during.slice(0, 2)).toEqual([1, 1]);
  expect(queue.stats().active).toBe(0);
});

test('a second stream waits for the slot; errors reach the consumer', async () => {
  const queue = new BoundedQueue({ concurrency: 1, maxQueued: 10 });
  const order: string[] = [];
  const first = (async () => {
    for await (const x of throughQueue(queue, slow(['1', '2']))) order.push(x);
  })();
  const second = (async () => {
    for await (const x of throughQueue(queue, slow(['3']))) order.push(x);
  })();
  await Promise.all([first, second]);
  expect(order).toEqual(['1', '2', '3']);
  const it = throughQueue(queue, slow(['x'], new Error('cut')));
  const got: string[] = [];
  await expect(
    (async () => {
      for await (const x of it) got.push(x);
    })(),
  ).rejects.toThrow('cut');
  expect(got).toEqual(['x']);
});
