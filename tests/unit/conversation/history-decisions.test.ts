import { describe, expect, test } from 'vitest';
import { applyDecision, ChannelHistories } from '../../../src/conversation/history.js';

function world() {
  const h = new ChannelHistories({ max: 10, ttlMs: 60_000, now: () => 1000 });
  h.append('c', { role: 'user', speaker: 'Ali', content: 'q1', at: 1, messageId: 'u1' });
  h.append('c', { role: 'assistant', speaker: 'Eos', content: 'bad', at: 2, messageId: 'r1' });
  h.append('c', { role: 'user', speaker: 'Ali', content: 'q2', at: 3, messageId: 'u2' });
  return h;
}

describe('decisions keep the live history in line', () => {
  test('a correction replaces the reply, a 👎 removes it, a 👍 changes nothing', () => {
    const h = world();
    applyDecision(h, { channelId: 'c', messageId: 'r1', verdict: { kind: 'up' } });
    expect(h.get('c').map((e) => e.content)).toEqual(['q1', 'bad', 'q2']);
    applyDecision(h, { channelId: 'c', messageId: 'r1', verdict: { kind: 'corrected', text: 'good' } });
    expect(h.get('c').map((e) => e.content)).toEqual(['q1', 'good', 'q2']);
    applyDecision(h, { channelId: 'c', messageId: 'r1', verdict: { kind: 'down' } });
    expect(h.get('c').map((e) => e.content)).toEqual(['q1', 'q2']);
  });

  test('remove() forgets the id (the same message can be appended again) and is false for unknown ones', () => {
    const h = world();
    expect(h.remove('c', 'r1')).toBe(true);
    expect(h.remove('c', 'r1')).toBe(false);
    expect(h.remove('other', 'r1')).toBe(false);
    expect(h.append('c', { role: 'assistant', speaker: 'Eos', content: 'again', at: 2, messageId: 'r1' })).toBe(true);
  });
});
