/** Jobs waiting for their Start button: owner-only, single use, expiring (and their files deleted then). */
import { describe, expect, test } from 'vitest';
import type { FineTuneService, PreparedJob } from '../../src/finetune/index.js';
import { PendingFineTunes } from '../../src/training/finetune-confirm.js';

function setup() {
  let now = 1_000;
  const discarded: PreparedJob[] = [];
  const service = { discard: async (p: PreparedJob) => void discarded.push(p) } as unknown as FineTuneService;
  const pending = new PendingFineTunes(service, () => now);
  const prepared = (n: number) => ({ trainingFile: `/tmp/f${n}`, validationFile: null, report: {} }) as unknown as PreparedJob;
  return { pending, prepared, discarded, advance: (ms: number) => void (now += ms) };
}

describe('pending fine-tune confirmations', () => {
  test('only the admin who asked may take it, once', () => {
    const { pending, prepared } = setup();
    const p = pending.add({ prepared: prepared(1), userId: 'owner', channelId: 'c' });
    expect(pending.owner(p.token)).toBe('owner');
    expect(pending.take(p.token, 'alice')).toBe('not-yours');
    expect(pending.take(p.token, 'owner')).toMatchObject({ token: p.token, channelId: 'c' });
    expect(pending.take(p.token, 'owner')).toBe('gone');
  });

  test('latest() finds the newest of a user (train confirm without buttons)', () => {
    const { pending, prepared } = setup();
    pending.add({ prepared: prepared(1), userId: 'owner', channelId: 'c' });
    const second = pending.add({ prepared: prepared(2), userId: 'owner', channelId: 'c' });
    pending.add({ prepared: prepared(3), userId: 'other', channelId: 'c' });
    expect(pending.latest('owner')).toBe(second.token);
    expect(pending.latest('nobody')).toBeNull();
  });

  test('after 15 minutes it is gone and its files are deleted', () => {
    const { pending, prepared, discarded, advance } = setup();
    const p = pending.add({ prepared: prepared(1), userId: 'owner', channelId: 'c' });
    advance(15 * 60_000 + 1);
    expect(pending.take(p.token, 'owner')).toBe('gone');
    expect(discarded.map((d) => d.trainingFile)).toEqual(['/tmp/f1']);
  });
});
