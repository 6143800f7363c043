import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { rateLimitNotice, UserRateLimiter } from '../../../src/conversation/rate-limit.js';
import { ConversationService } from '../../../src/conversation/service.js';
import { Responder } from '../../../src/conversation/responder.js';
import { ChannelHistories } from '../../../src/conversation/history.js';
import { BoundedQueue } from '../../../src/conversation/queue.js';
import { AccessPolicy } from '../../../src/core/access.js';
import { behaviourSchema, conversationSchema } from '../../../src/config-schema.js';
import { createStateStore } from '../../../src/state/store.js';
import type { IncomingMessage } from '../../../src/chat/types.js';
import { FakeSurface, incoming } from '../../fakes/surface.js';
import { FakeModel } from '../../fakes/model.js';

const clock = () => {
  const c = { t: 1_000_000, now: () => c.t };
  return c;
};

describe('UserRateLimiter (sliding window per user)', () => {
  test('admits `count` calls, then one notice, then silence; room again once the oldest call leaves the window', () => {
    const c = clock();
    const rl = new UserRateLimiter({ count: 3, perSeconds: 60 }, c.now);
    const verdicts = [0, 10_000, 20_000].map((dt) => {
      c.t += dt;
      return rl.take('u1');
    });
    expect(verdicts).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    // calls at t0, t0+10 s, t0+30 s; now t0+30 s: the first frees at t0+60 s
    expect(rl.take('u1')).toEqual({ allowed: false, notify: true, retryAfterSec: 30 });
    c.t += 5_000;
    expect(rl.take('u1')).toEqual({ allowed: false, notify: false, retryAfterSec: 25 });
    c.t += 24_999; // t0+59.999 s: still full
    expect(rl.take('u1')).toMatchObject({ allowed: false, notify: false, retryAfterSec: 1 });
    c.t += 1; // t0+60 s: the first call left the window
    expect(rl.take('u1')).toEqual({ allowed: true });
    // full again (t0+10, t0+30, t0+60): a new burst gets a new single notice
    expect(rl.take('u1')).toEqual({ allowed: false, notify: true, retryAfterSec: 10 });
    expect(rl.take('u1')).toMatchObject({ allowed: false, notify: false });
  });

  test('a sliding window, not a fixed one: no double burst at a window boundary', () => {
    const c = clock();
    const rl = new UserRateLimiter({ count: 6, perSeconds: 60 }, c.now);
    c.t += 55_000;
    for (let i = 0; i < 6; i++) expect(rl.take('u1').allowed).toBe(true);
    c.t += 10_000; // a fixed minute would have reset here
    expect(rl.take('u1').allowed).toBe(false);
    c.t += 50_000;
    expect(rl.take('u1').allowed).toBe(true);
  });

  test('users are independent; count 0 turns the limit off', () => {
    const c = clock();
    const rl = new UserRateLimiter({ count: 1, perSeconds: 60 }, c.now);
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
    expect(rl.take('b').allowed).toBe(true);
    const off = new UserRateLimiter({ count: 0, perSeconds: 60 }, c.now);
    expect(off.enabled).toBe(false);
    for (let i = 0; i < 1000; i++) expect(off.take('a').allowed).toBe(true);
    expect(off.trackedUsers()).toBe(0);
  });

  test('a quiet refusal (warn: false) does not use up the one notice', () => {
    const c = clock();
    const rl = new UserRateLimiter({ count: 1, perSeconds: 10 }, c.now);
    rl.take('u');
    expect(rl.take('u', { warn: false })).toMatchObject({ allowed: false, notify: false });
    expect(rl.take('u')).toMatchObject({ allowed: false, notify: true });
  });

  test('memory stays bounded: users idle for a window are forgotten', () => {
    const c = clock();
    const rl = new UserRateLimiter({ count: 2, perSeconds: 60 }, c.now);
    for (let i = 0; i < 5000; i++) rl.take(`user-${i}`);
    expect(rl.trackedUsers()).toBe(5000);
    c.t += 61_000;
    rl.take('late');
    expect(rl.trackedUsers()).toBe(1);
  });

  test('the notice is short and gives the wait', () => {
    expect(rateLimitNotice(42)).toBe("You're sending messages faster than I can answer; try again in 42 s.");
  });
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function service(opts: { count: number; perSeconds?: number; reactionProbability?: number }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'eos-ratelimit-'));
  dirs.push(dir);
  const c = clock();
  const config = conversationSchema.parse({
    userRateLimit: { count: opts.count, perSeconds: opts.perSeconds ?? 60 },
    reactionProbability: opts.reactionProbability ?? 0,
    backfill: 0,
  });
  const state = await createStateStore(path.join(dir, 'state', 'eos.json'));
  const surface = new FakeSurface(false);
  const model = new FakeModel((m) => (m.at(-1)?.content.startsWith('Message:') ? '🎉' : 'an answer'));
  const log = pino({ level: 'silent' });
  const histories = new ChannelHistories({ max: 50, ttlMs: 3_600_000 });
  const queue = new BoundedQueue({ concurrency: 2, maxQueued: 100 });
  const responder = new Responder({ config, botName: 'Eos', model, surface, state, histories, queue, log });
  const access = new AccessPolicy(behaviourSchema.parse({}));
  const conv = new ConversationService({ config, state, surface, access, responder, histories, log, random: () => 0, now: c.now });
  /** Resolves once no model call runs or waits (reactions run in the background) and what follows one has run. */
  const idle = async () => {
    await vi.waitFor(() => expect(queue.stats()).toMatchObject({ active: 0, queued: 0 }), { interval: 1 });
    await new Promise((r) => setImmediate(r));
  };
  return { conv, surface, model, clock: c, idle };
}

const author = (id: string) => ({ id, username: id, displayName: id.toUpperCase(), bot: false });
const mentionFrom = (id: string, text = 'hello'): IncomingMessage =>
  incoming({ content: `<@bot> ${text}`, cleanContent: text, mentionsBot: true, author: author(id) });
const notices = (s: FakeSurface) => s.texts().filter((t) => t.startsWith("You're sending messages faster"));

describe('ConversationService with a per-user rate limit', () => {
  test('over the limit: one short notice, the rest dropped, no extra LLM calls; others unaffected', async () => {
    const t = await service({ count: 3 });
    const flood = Array.from({ length: 10 }, (_, i) => mentionFrom('spammer', `message ${i}`));
    for (const m of flood) await t.conv.onMessage(m);
    expect(t.model.calls).toHaveLength(3);
    expect(notices(t.surface)).toEqual(["You're sending messages faster than I can answer; try again in 60 s."]);
    const notice = t.surface.sent.find((s) => s.msg.content?.startsWith("You're sending"))!;
    expect(notice.msg.replyTo).toBe(flood[3]!.id);
    expect(t.surface.sent).toHaveLength(4); // 3 answers + 1 notice
    await t.conv.onMessage(mentionFrom('neighbour'));
    expect(t.model.calls).toHaveLength(4);
    expect(t.surface.texts().at(-1)).toBe('an answer');
  });

  test('after the window the user is answered again', async () => {
    const t = await service({ count: 2, perSeconds: 30 });
    for (let i = 0; i < 4; i++) await t.conv.onMessage(mentionFrom('u'));
    expect(t.model.calls).toHaveLength(2);
    t.clock.t += 30_000;
    await t.conv.onMessage(mentionFrom('u'));
    expect(t.model.calls).toHaveLength(3);
    expect(notices(t.surface)).toHaveLength(1);
  });

  test('reactions count against the limit and are dropped silently when over it', async () => {
    const t = await service({ count: 2, reactionProbability: 1 });
    const plain = (text: string) => incoming({ content: text, author: author('chatty') });
    for (let i = 0; i < 6; i++) await t.conv.onMessage(plain(`plain chatter ${i}`));
    await t.idle();
    expect(t.model.calls).toHaveLength(2);
    expect(t.surface.reactions).toHaveLength(2);
    expect(t.surface.sent).toHaveLength(0);
    // the quiet refusals did not use up the notice: a direct mention still gets one
    await t.conv.onMessage(mentionFrom('chatty'));
    expect(notices(t.surface)).toHaveLength(1);
    expect(t.model.calls).toHaveLength(2);
  });

  test('count 0 means no limit', async () => {
    const t = await service({ count: 0 });
    for (let i = 0; i < 12; i++) await t.conv.onMessage(mentionFrom('u'));
    expect(t.model.calls).toHaveLength(12);
    expect(notices(t.surface)).toHaveLength(0);
  });
});
