/**
 * Issue 8, "record semantics" and "candidates and ratings": what a 👍, 👎 and a correction write,
 * what stays in the live history, what several raters get, long replies rated from any part, and
 * reasoning blocks. discord.js against the emulator, the openai SDK against the fake LLM.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { assistantTurns, kit, type Pref, type Rec } from './data-kit.js';

let h: Harness;
let k: ReturnType<typeof kit>;
beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250, historyMax: 100 } } });
  k = kit(h);
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

describe('a 👍 trains exactly the rated reply', () => {
  test('👍 on the 8th answer: earlier answers are weight-0 context, the 👎 one is gone, corrected ones read as corrected', async () => {
    const replies = [];
    for (let i = 1; i <= 3; i++) replies.push(await k.ask(`question ${i}`, `answer ${i}`));
    h.emu.addReaction({ channelId: h.general.id, messageId: replies[2]!.id, userId: h.bob.id, emoji: '👎' });
    await k.decided(replies[2]!.id);
    replies.push(await k.ask('question 4', 'answer 4'));
    // The 👎'd answer is not in the next prompt.
    expect(k.lastPrompt().map((m) => m.content)).not.toContain('answer 3');
    replies.push(await k.ask('question 5', 'answer 5'));
    const cmd = k.say(h.alice.id, '!correct corrected 5', replies[4]!.id);
    expect((await k.replyTo(cmd.id)).content).toMatch(/^Correction saved/);
    replies.push(await k.ask('question 6', 'answer 6'));
    // A correction replaces the bad answer in the live history: the next prompt carries the correction.
    const prompt6 = k.lastPrompt().map((m) => m.content);
    expect(prompt6).not.toContain('answer 5');
    expect(prompt6).toContain('corrected 5');
    replies.push(await k.ask('question 7', 'answer 7'));
    replies.push(await k.ask('question 8', 'answer 8'));
    // Answer 6 is corrected after answer 8 was captured: the record still must not train or show it.
    const late = k.say(h.alice.id, '!correct corrected 6', replies[5]!.id);
    await k.replyTo(late.id);
    const before = (await k.lines('positive.jsonl')).length;
    expect(await k.click(replies[7]!.id, 'up', h.bob.id)).toBe('Thanks! Saved as a positive example in **default**.');
    const rec = (await k.waitLines('positive.jsonl', before + 1)).at(-1)!;
    expect(rec.messages[0]!.role).toBe('system');
    expect(rec.messages.at(-2)).toEqual({ role: 'user', content: 'Ali: question 8' });
    expect(assistantTurns(rec.messages)).toEqual([
      ['answer 1', 0],
      ['answer 2', 0],
      ['answer 4', 0],
      ['corrected 5', 0],
      ['corrected 6', 0],
      ['answer 7', 0],
      ['answer 8', 1],
    ]);
  });

  test('negative, corrected positive and preference records follow the same rule', async () => {
    const neg = await k.lines('negative.jsonl');
    expect(assistantTurns(neg[0]!.messages)).toEqual([
      ['answer 1', 0],
      ['answer 2', 0],
      ['answer 3', 1],
    ]);
    const negs = neg.map((r) => r.messages.at(-1)!.content);
    expect(negs).toEqual(expect.arrayContaining(['answer 5', 'answer 6']));
    const pos = await k.lines('positive.jsonl');
    const fixed = pos.find((r) => r.messages.at(-1)!.content === 'corrected 5')!;
    expect(assistantTurns(fixed.messages)).toEqual([
      ['answer 1', 0],
      ['answer 2', 0],
      ['answer 4', 0],
      ['corrected 5', 1],
    ]);
    const pref = (await k.lines<Pref>('preference.jsonl')).find((p) => p.preferred_output[0]!.content === 'corrected 6')!;
    expect(pref.non_preferred_output).toEqual([{ role: 'assistant', content: 'answer 6' }]);
    expect(pref.input.messages.at(-1)).toEqual({ role: 'user', content: 'Ali: question 6' });
    expect(pref.input.messages.some((m) => 'weight' in m)).toBe(false);
    expect(pref.input.messages.map((m) => m.content)).not.toContain('answer 5');
    // No rejected or corrected answer is a trainable (weight 1) turn anywhere in positive.jsonl.
    const trained = pos.flatMap((r) => r.messages.filter((m) => m.role === 'assistant' && m.weight !== 0).map((m) => m.content));
    for (const bad of ['answer 3', 'answer 5', 'answer 6']) expect(trained).not.toContain(bad);
    for (const r of pos) expect(r.messages.filter((m) => m.role === 'assistant' && m.weight !== 0)).toHaveLength(1);
  });
});

describe('several raters', () => {
  test('the first vote decides the record; later votes are kept as feedback and each rater is told so', async () => {
    const r = await k.ask('Name a primary colour', 'Red.');
    const pos = (await k.lines('positive.jsonl')).length;
    const neg = (await k.lines('negative.jsonl')).length;
    const fb = (await k.lines('feedback.jsonl')).length;
    expect(await k.click(r.id, 'up', h.bob.id)).toBe('Thanks! Saved as a positive example in **default**.');
    expect(await k.click(r.id, 'down', h.alice.id)).toBe(
      'This reply was already rated 👍 (a positive example); your 👎 is kept as feedback.',
    );
    expect(await k.click(r.id, 'up', h.owner.id)).toBe(
      'This reply was already rated 👍 (a positive example); your 👍 is kept as feedback.',
    );
    const cmd = k.say(h.alice.id, '!correct Blue.', r.id);
    expect((await k.replyTo(cmd.id)).content).toBe(
      'This reply was already rated 👍 (a positive example); your correction is kept as feedback.',
    );
    expect(await k.lines('positive.jsonl')).toHaveLength(pos + 1);
    expect(await k.lines('negative.jsonl')).toHaveLength(neg);
    const votes = (
      await k.waitLines<{ vote?: string; correction?: string; decided?: string; reply?: string }>('feedback.jsonl', fb + 3)
    ).slice(fb);
    expect(votes.map((v) => [v.vote, v.decided, v.reply])).toEqual([
      ['down', 'up', 'Red.'],
      ['up', 'up', 'Red.'],
      ['correction', 'up', 'Red.'],
    ]);
    expect(votes[2]!.correction).toBe('Blue.');
  });

  test('a correction after a 👎 completes it: positive and preference added, the negative is not written twice', async () => {
    const r = await k.ask('Name a planet', 'The Moon.');
    expect(await k.click(r.id, 'down', h.bob.id)).toBe('Thanks! Saved as a negative example in **default**.');
    const neg = (await k.lines('negative.jsonl')).length;
    const prefs = (await k.lines('preference.jsonl')).length;
    const cmd = k.say(h.alice.id, '!correct Mars.', r.id);
    expect((await k.replyTo(cmd.id)).content).toMatch(/^Correction saved in \*\*default\*\*/);
    expect((await k.lines('positive.jsonl')).at(-1)!.messages.at(-1)).toEqual({ role: 'assistant', content: 'Mars.', weight: 1 });
    expect(await k.lines('preference.jsonl')).toHaveLength(prefs + 1);
    expect(await k.lines('negative.jsonl')).toHaveLength(neg);
    expect(await k.click(r.id, 'up', h.owner.id)).toBe('This reply was already corrected; your 👍 is kept as feedback.');
  });
});

describe('corrections are written together', () => {
  test('!correct with an @snowflake in the answer writes negative, positive and preference (no ID kept)', async () => {
    const r = await k.ask('Who is the admin?', 'Nobody.');
    const [neg, pos, pref] = await Promise.all(
      ['negative.jsonl', 'positive.jsonl', 'preference.jsonl'].map(async (f) => (await k.lines(f)).length),
    );
    const cmd = k.say(h.alice.id, '!correct the answer is @400000000000000002', r.id);
    expect((await k.replyTo(cmd.id)).content).toMatch(/^Correction saved in \*\*default\*\*/);
    expect(await k.lines('negative.jsonl')).toHaveLength(neg! + 1);
    expect(await k.lines('preference.jsonl')).toHaveLength(pref! + 1);
    const last = (await k.lines('positive.jsonl'))[pos!]!;
    expect(last.messages.at(-1)!.content).toMatch(/^the answer is /);
    expect(JSON.stringify(last)).not.toContain('400000000000000002');
  });
});

describe('long replies', () => {
  test('a reply split over several messages can be rated and corrected from any part', async () => {
    const long = Array.from({ length: 6 }, (_, i) => `Paragraph ${i + 1}. ${'word '.repeat(90).trim()}`).join('\n\n');
    const first = await k.ask('Tell me a long story', long);
    const parts = await h.emu.waitFor(
      () => {
        const mine = h.emu.botMessages(h.general.id).filter((m) => m.id >= first.id && !m.content.startsWith('Correction'));
        return mine.length >= 2 && mine.at(-1)!.content.includes('Paragraph 6') ? mine : undefined;
      },
      { label: 'all parts of the long reply' },
    );
    const before = (await k.lines('positive.jsonl')).length;
    h.emu.addReaction({ channelId: h.general.id, messageId: parts.at(-1)!.id, userId: h.bob.id, emoji: '👍' });
    const rec = (await k.waitLines<Rec>('positive.jsonl', before + 1)).at(-1)!;
    expect(rec.messages.at(-1)).toEqual({ role: 'assistant', content: long, weight: 1 });
    // A correction given as a reply to the last part corrects the whole reply.
    const long2 = long.replaceAll('Paragraph', 'Section');
    const first2 = await k.ask('Another long one', long2);
    const last2 = await h.emu.waitFor(
      () => {
        const m = h.emu
          .botMessages(h.general.id)
          .filter((x) => x.id > first2.id)
          .at(-1);
        return m?.content.includes('Section 6') ? m : undefined;
      },
      { label: 'last part of the second long reply' },
    );
    const fix = k.say(h.alice.id, '!correct Short version.', last2.id);
    expect((await k.replyTo(fix.id)).content).toMatch(/^Correction saved/);
    expect((await k.lines('negative.jsonl')).at(-1)!.messages.at(-1)!.content).toBe(long2);
    expect((await k.lines('positive.jsonl')).at(-1)!.messages.at(-1)!.content).toBe('Short version.');
  });
});

describe('reasoning blocks', () => {
  test('<think> is not shown (not even mid-stream), not kept in the history and not trained by default', async () => {
    h.llm!.queue({ text: '<think>The user wants 2+2. Secret scratchpad.</think>\n\nIt is 4.', chunkSize: 3, chunkDelayMs: 20 });
    const msg = k.say(h.alice.id, `<@${h.emu.botUser.id}> what is 2+2?`);
    const r = await k.replyTo(msg.id, (m) => m.components.length > 0);
    expect(r.content).toBe('It is 4.');
    for (const shown of [...r.edits, r.content]) expect(shown).not.toMatch(/think|scratchpad/i);
    await k.ask('and 3+3?', '6.');
    expect(
      k
        .lastPrompt()
        .filter((m) => m.role === 'assistant')
        .map((m) => m.content),
    ).toContain('It is 4.');
    expect(JSON.stringify(k.lastPrompt())).not.toContain('scratchpad');
    const before = (await k.lines('positive.jsonl')).length;
    await k.click(r.id, 'up', h.bob.id);
    const rec = (await k.waitLines('positive.jsonl', before + 1)).at(-1)!;
    expect(rec.messages.at(-1)).toEqual({ role: 'assistant', content: 'It is 4.', weight: 1 });
  });
});
