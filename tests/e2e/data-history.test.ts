/**
 * Issue 8, "context hygiene": prompts and records hold conversation only, live and after a
 * restart (backfill); canned texts get no buttons; "my last reply here" and corrections survive a
 * restart; a reply cut by shutdown is edited with a note. discord.js against the emulator.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';
import { kit, type Msg } from './data-kit.js';

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses.reverse()) await h.close();
});

const NOISE = [/!help/, /!replyprefix/, /!nosuch/, /Unknown command/, /reply prefix/i, /Sorry/, /^>>/, /Correction saved/, /!correct/];
function expectClean(messages: Msg[]): void {
  for (const m of messages) {
    expect(m.content.trim(), `empty ${m.role} turn`).not.toBe('');
    const body = m.role === 'user' ? m.content.replace(/^[^:]+: /, '') : m.content;
    if (m.role !== 'system') for (const bad of NOISE) expect(body, `${m.role} turn "${m.content}"`).not.toMatch(bad);
  }
}

describe('history, prompts and records hold conversation only', () => {
  test('commands, command replies, embeds, apologies and the reply prefix stay out, live and after a restart', async () => {
    // No few-shot examples: the prompt is the system prompt and the channel history only.
    const behaviour = { conversation: { streamEditIntervalMs: 250 }, training: { fewShot: 0 } };
    const h1 = await startHarness({ behaviour });
    harnesses.push(h1);
    const { emu, llm, dataDir } = h1;
    const k1 = kit(h1, h1.random.id);
    const bot = emu.botUser.id;
    const c1 = k1.say(h1.alice.id, '!replyprefix >>');
    await k1.replyTo(c1.id);
    const c2 = k1.say(h1.alice.id, '!help');
    expect((await k1.replyTo(c2.id)).embeds.length).toBeGreaterThan(0);
    const c3 = k1.say(h1.alice.id, '!nosuchcommand please');
    await k1.replyTo(c3.id);
    llm!.queue({ status: 400, error: 'bad request' });
    const q1 = k1.say(h1.alice.id, mention(bot, 'first question'));
    const apology = await k1.replyTo(q1.id);
    expect(apology.content).toMatch(/^Sorry/);
    expect(apology.components).toEqual([]);
    const a2 = await k1.ask('second question', 'Answer two.');
    expect(a2.content).toBe('>> Answer two.');
    const prompt = k1.lastPrompt();
    expectClean(prompt);
    expect(prompt.map((m) => m.content)).toContain('Ali: first question');
    const a3 = await k1.ask('third question', 'Answer three.');
    expect(
      k1
        .lastPrompt()
        .filter((m) => m.role === 'assistant')
        .map((m) => m.content),
    ).toEqual(['Answer two.']);
    const fix = k1.say(h1.bob.id, '!correct Better three.', a3.id);
    await k1.replyTo(fix.id);
    await k1.click(a2.id, 'up', h1.bob.id);
    const rec = (await k1.waitLines('positive.jsonl', 2)).find((r) => r.messages.at(-1)!.content === 'Answer two.')!;
    expectClean(rec.messages);
    await h1.stopBot();

    const h2 = await startHarness({ emu, fake: llm!, dataDir, behaviour });
    harnesses.push(h2);
    const k2 = kit(h2, h1.random.id);
    await k2.ask('fourth question', 'Answer four.');
    const backfilled = k2.lastPrompt();
    expectClean(backfilled);
    expect(backfilled.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(['Answer two.', 'Better three.']);
    expect(backfilled.map((m) => m.content)).toEqual(
      expect.arrayContaining(['Ali: first question', 'Ali: second question', 'Ali: third question']),
    );
    // "my last reply here" survived the restart.
    const c = k2.say(h1.alice.id, '!correct Better four.');
    expect((await k2.replyTo(c.id)).content).toMatch(/^Correction saved in \*\*default\*\*/);
    const pos = await k2.lines('positive.jsonl');
    expect(pos.at(-1)!.messages.at(-1)).toEqual({ role: 'assistant', content: 'Better four.', weight: 1 });
    for (const r of pos) expectClean(r.messages);
  });

  test('with no language model, the canned "not connected" text gets no buttons and cannot be rated or corrected', async () => {
    const h = await startHarness({ llm: false });
    harnesses.push(h);
    const k = kit(h);
    const q = k.say(h.alice.id, mention(h.emu.botUser.id, 'what is the meaning of life?'));
    const r = await k.replyTo(q.id);
    expect(r.content).toMatch(/not connected to a language model/);
    h.emu.addReaction({ channelId: h.general.id, messageId: r.id, userId: h.bob.id, emoji: '👍' });
    // One generation per channel: once the second answer is there, the first one is finished (buttons included).
    const q2 = k.say(h.alice.id, mention(h.emu.botUser.id, 'and the meaning of death?'));
    await k.replyTo(q2.id);
    expect(r.components).toEqual([]);
    const c = k.say(h.alice.id, '!correct 42.');
    expect((await k.replyTo(c.id)).content).toBe('I have no reply here to correct yet.');
    expect(await k.lines('positive.jsonl')).toEqual([]);
    expect(await k.lines('negative.jsonl')).toEqual([]);
  });

  test('a reply cut by shutdown is edited with a short note', async () => {
    const h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250 } } });
    harnesses.push(h);
    const k = kit(h);
    h.llm!.queue({ text: 'This reply streams slowly and will be interrupted by a shutdown. '.repeat(4), chunkSize: 4, chunkDelayMs: 60 });
    const q = k.say(h.alice.id, mention(h.emu.botUser.id, 'tell me something long'));
    const partial = await k.replyTo(q.id);
    await h.stopBot();
    const shown = h.emu.messages(h.general.id).find((m) => m.id === partial.id)!;
    expect(shown.content).toMatch(/\n\n\(Cut off: I was shut down mid-reply\. Ask again in a moment\.\)$/);
    expect(shown.content.startsWith('This')).toBe(true);
  });
});
