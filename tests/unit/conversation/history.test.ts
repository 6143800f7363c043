import { describe, expect, test } from 'vitest';
import { ChannelHistories, type HistoryEntry } from '../../../src/conversation/history.js';

function setup(max = 3, ttlMs = 1000) {
  const clock = { t: 0 };
  const histories = new ChannelHistories({ max, ttlMs, now: () => clock.t });
  return { clock, histories };
}

const user = (content: string, at: number, messageId?: string): HistoryEntry => ({
  role: 'user',
  speaker: 'Ana',
  content,
  at,
  ...(messageId ? { messageId } : {}),
});

describe('ChannelHistories', () => {
  test('keeps entries per channel, oldest first', () => {
    const { histories } = setup();
    histories.append('c1', user('one', 1));
    histories.append('c1', user('two', 2));
    histories.append('c2', user('other', 3));
    expect(histories.get('c1').map((e) => e.content)).toEqual(['one', 'two']);
    expect(histories.get('c2').map((e) => e.content)).toEqual(['other']);
    expect(histories.get('none')).toEqual([]);
    expect(histories.has('c1')).toBe(true);
    expect(histories.has('none')).toBe(false);
    expect(histories.size()).toBe(2);
  });

  test('is bounded per channel, dropping the oldest', () => {
    const { histories } = setup(3);
    for (let i = 1; i <= 5; i++) histories.append('c', user(`m${i}`, i, `id${i}`));
    expect(histories.get('c').map((e) => e.content)).toEqual(['m3', 'm4', 'm5']);
    // a dropped message id may come back (e.g. backfill) but is older than everything kept
    expect(histories.append('c', user('m1 again', 1, 'id1'))).toBe(true);
    expect(histories.get('c').map((e) => e.content)).toEqual(['m3', 'm4', 'm5']);
  });

  test('dedupes by messageId and keeps the first version', () => {
    const { histories } = setup(10);
    expect(histories.append('c', user('hello', 1, 'a'))).toBe(true);
    expect(histories.append('c', user('hello (echo)', 1, 'a'))).toBe(false);
    expect(histories.append('c', user('no id', 2))).toBe(true);
    expect(histories.append('c', user('no id', 2))).toBe(true);
    expect(histories.get('c').map((e) => e.content)).toEqual(['hello', 'no id', 'no id']);
  });

  test('backfilled older entries slot in before newer ones', () => {
    const { histories } = setup(10);
    histories.append('c', user('live', 100, 'live'));
    histories.append('c', user('old1', 10, 'o1'));
    histories.append('c', user('old2', 20, 'o2'));
    histories.append('c', user('same time', 100, 'same'));
    expect(histories.get('c').map((e) => e.content)).toEqual(['old1', 'old2', 'live', 'same time']);
  });

  test('update replaces the content of a known message only', () => {
    const { histories } = setup();
    histories.append('c', user('draft', 1, 'm'));
    expect(histories.update('c', 'm', 'final')).toBe(true);
    expect(histories.update('c', 'x', 'nope')).toBe(false);
    expect(histories.update('other', 'm', 'nope')).toBe(false);
    expect(histories.get('c')[0]?.content).toBe('final');
  });

  test('get returns copies that cannot corrupt the store', () => {
    const { histories } = setup();
    histories.append('c', user('keep', 1));
    const got = histories.get('c');
    got[0]!.content = 'changed';
    got.push(user('extra', 2));
    expect(histories.get('c').map((e) => e.content)).toEqual(['keep']);
  });

  test('forgets channels inactive longer than the ttl, lazily and on prune', () => {
    const { clock, histories } = setup(3, 1000);
    histories.append('a', user('a', 0));
    histories.append('b', user('b', 0));
    clock.t = 800;
    histories.append('b', user('b2', 800));
    clock.t = 1000;
    expect(histories.has('a')).toBe(true); // exactly ttl: still alive
    clock.t = 1001;
    expect(histories.has('a')).toBe(false);
    expect(histories.get('a')).toEqual([]);
    expect(histories.has('b')).toBe(true);
    clock.t = 5000;
    expect(histories.prune()).toBe(1);
    expect(histories.size()).toBe(0);
  });

  test('an expired channel starts fresh on the next append', () => {
    const { clock, histories } = setup(5, 100);
    histories.append('c', user('old', 0, 'x'));
    clock.t = 500;
    expect(histories.append('c', user('old again', 0, 'x'))).toBe(true);
    expect(histories.get('c').map((e) => e.content)).toEqual(['old again']);
  });

  test('clear forgets one channel', () => {
    const { histories } = setup();
    histories.append('a', user('a', 0));
    histories.append('b', user('b', 0));
    histories.clear('a');
    expect(histories.has('a')).toBe(false);
    expect(histories.size()).toBe(1);
  });

  test('rejects nonsensical options', () => {
    expect(() => new ChannelHistories({ max: 0, ttlMs: 10 })).toThrow(RangeError);
    expect(() => new ChannelHistories({ max: 5, ttlMs: 0 })).toThrow(RangeError);
  });
});
