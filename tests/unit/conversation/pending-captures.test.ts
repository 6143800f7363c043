/** Pending captures: a lookup that misses waits (bounded) for the replies being captured in its channel. */
import { describe, expect, test } from 'vitest';
import pino from 'pino';
import { CandidateStore } from '../../../src/datasets/candidates.js';
import type { DatasetStore } from '../../../src/datasets/store.js';
import { FeedbackService } from '../../../src/training/feedback.js';
import { PendingCaptures } from '../../../src/training/pending-captures.js';

const state = (p: Promise<unknown>) => Promise.race([p.then(() => 'settled'), new Promise((r) => setImmediate(() => r('waiting')))]);

describe('PendingCaptures', () => {
  test('settle waits for the captures pending in its channel only, and resolves once they end', async () => {
    const pending = new PendingCaptures(60_000);
    expect(await state(pending.settle('c1'))).toBe('settled'); // nothing pending
    const end = pending.begin('c1');
    expect(pending.pendingIn('c1')).toBe(1);
    expect(await state(pending.settle('c2'))).toBe('settled');
    const waiting = pending.settle('c1');
    expect(await state(waiting)).toBe('waiting');
    end();
    end(); // idempotent
    expect(await state(waiting)).toBe('settled');
    expect(pending.pendingIn('c1')).toBe(0);
  });

  test('settle gives up after its bound when a capture never ends', async () => {
    const pending = new PendingCaptures(30);
    pending.begin('c1');
    const t0 = Date.now();
    await pending.settle('c1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });
});

describe('FeedbackService.settle', () => {
  const world = () => {
    const candidates = new CandidateStore();
    const log = pino({ level: 'silent' });
    const datasets = { activeName: () => 'default' } as unknown as DatasetStore;
    // Two services over one candidate store (the owners' one captures, a server's one rates) share the pending captures.
    return { capturer: new FeedbackService(datasets, candidates, log), rater: new FeedbackService(datasets, candidates, log) };
  };
  const reply = (id: string) => ({
    messageId: id,
    channelId: 'c1',
    reply: 'answer',
    context: [{ role: 'user' as const, content: 'Ali: q' }],
  });

  test('a lookup of a reply still being captured waits for it, through another service over the same store', async () => {
    const { capturer, rater } = world();
    const end = capturer.beginCapture('c1');
    const lookup = rater.settle('c1', 'r1').then(() => rater.isCandidate('r1'));
    expect(await state(lookup)).toBe('waiting');
    await capturer.capture(reply('r1'));
    end();
    expect(await lookup).toBe(true);
  });

  test('a known reply or an empty channel answers at once; without a message id it waits for every pending capture there', async () => {
    const { capturer, rater } = world();
    await capturer.capture(reply('r0'));
    expect(await state(rater.settle('c1', 'unknown'))).toBe('settled');
    const end = capturer.beginCapture('c1');
    expect(await state(rater.settle('c1', 'r0'))).toBe('settled');
    const latest = rater.settle('c1').then(() => rater.latestIn('c1'));
    expect(await state(latest)).toBe('waiting');
    await capturer.capture(reply('r1'));
    end();
    expect(await latest).toBe('r1');
  });
});
