/**
 * The per-user rate limit end to end (real discord.js + emulator + openai SDK + fake LLM): a user
 * who floods Eos gets `count` answers, then ONE short notice, then silence (commands included: they
 * share the budget); others are unaffected; the user is answered again once the window has passed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mention, startHarness, type Harness } from '../e2e/harness.js';
import { trackRejections } from './gen.js';

const NOTICE = /^You're sending messages faster than I can answer; try again in (\d+) s\.$/;
const rejections = trackRejections();
afterAll(() => {
  rejections.stop();
  expect(rejections.list.map(String)).toEqual([]);
});
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Eos with a per-user rate limit; the fake LLM answers every question with `answer`. */
async function startLimited(userRateLimit: { count: number; perSeconds: number }, answer: string): Promise<Harness> {
  const h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250, userRateLimit } } });
  h.llm!.respondWith(() => ({ text: answer }));
  return h;
}

/** Fails if Discord traffic broke the contract, then stops everything. */
async function closeChecked(h: Harness): Promise<void> {
  expect(h.emu.contractViolations).toEqual([]);
  await h.close();
}

describe('a flood from one user (6 per 60 s)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startLimited({ count: 6, perSeconds: 60 }, 'An answer.');
  });
  afterAll(() => closeChecked(h));

  const say = (userId: string, content: string) => h.emu.userSays({ channelId: h.general.id, userId, content });
  const repliesTo = (id: string) => h.emu.botMessages(h.general.id).filter((m) => m.replyTo === id);

  test('six answers, one notice, then silence and no LLM call', async () => {
    const before = h.llm!.chatRequests().length;
    for (let i = 0; i < 6; i++) {
      const msg = say(h.alice.id, mention(h.emu.botUser.id, `question ${i}`));
      await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content === 'An answer.');
    }
    expect(h.llm!.chatRequests().length - before).toBe(6);
    const flood = Array.from({ length: 12 }, (_, i) => say(h.alice.id, mention(h.emu.botUser.id, `flood ${i}`)));
    const notice = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === flood[0]!.id);
    expect(notice.content).toMatch(NOTICE);
    const wait = Number(NOTICE.exec(notice.content)![1]);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // Bob's later mention is answered after Eos has decided on every flood message (a channel's messages are decided
    // in order): by then none of them was answered and Bob's was the only LLM call since.
    const bob = say(h.bob.id, mention(h.emu.botUser.id, 'after the flood'));
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === bob.id && m.content === 'An answer.');
    for (const m of flood.slice(1)) expect(repliesTo(m.id), `reply to ${m.content}`).toHaveLength(0);
    expect(h.llm!.chatRequests().length - before).toBe(7);
    const notices = h.emu.botMessages(h.general.id).filter((m) => NOTICE.test(m.content));
    expect(notices).toHaveLength(1);
  });

  // Commands share the per-user budget with replies (one admission gate for every entry point, see
  // ARCHITECTURE "Trust boundaries"): the flooding user's command is refused, silently after the one notice.
  test("other users are still answered, commands included; the flooding user's commands are limited too", async () => {
    const bob = say(h.bob.id, mention(h.emu.botUser.id, 'am I limited too?'));
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === bob.id && m.content === 'An answer.');
    const aliceHi = say(h.alice.id, '!hi');
    const bobHi = say(h.bob.id, '!hi');
    expect((await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === bobHi.id)).content).toMatch(/^Hi Bob!/);
    expect(repliesTo(aliceHi.id)).toHaveLength(0);
  });

  test('a DM flood is limited the same way (per user, not per channel)', async () => {
    const dm = h.emu.createDM(h.alice.id);
    const msg = h.emu.userSays({ channelId: dm.id, userId: h.alice.id, content: 'hello in private' });
    const bobDm = h.emu.createDM(h.bob.id);
    const control = h.emu.userSays({ channelId: bobDm.id, userId: h.bob.id, content: 'hello in private' });
    await h.emu.waitForBotMessage(bobDm.id, (m) => m.replyTo === control.id && m.content === 'An answer.');
    // Nothing else Alice could send is answered, so the barrier is Eos's own log of its decision: over the limit,
    // without a second notice.
    const decided = (l: string) => l.includes('user over the rate limit') && l.includes(`"channel":"${dm.id}"`);
    const line = await h.emu.waitFor(() => h.logs.find(decided), { label: "the rate limit's decision on Alice's DM" });
    expect(line).toContain('"notified":false');
    expect(h.emu.botMessages(dm.id).filter((m) => m.replyTo === msg.id)).toHaveLength(0);
  });
});

describe('the window passes (2 per 1 s)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startLimited({ count: 2, perSeconds: 1 }, 'Fine.');
  });
  afterAll(() => closeChecked(h));

  test('over the limit, then answered again after the window', async () => {
    const ask = async (text: string) => {
      const msg = h.emu.userSays({ channelId: h.general.id, userId: h.bob.id, content: mention(h.emu.botUser.id, text) });
      return h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id);
    };
    expect((await ask('one')).content).toBe('Fine.');
    expect((await ask('two')).content).toBe('Fine.');
    expect((await ask('three')).content).toMatch(NOTICE);
    await pause(1100);
    expect((await ask('four')).content).toBe('Fine.');
  });
});
