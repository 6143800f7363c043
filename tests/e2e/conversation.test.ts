import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    behaviour: { conversation: { streamEditIntervalMs: 250, replyTimeoutMs: 5000 } },
    env: { EOS_LLM_TIMEOUT_MS: '1500' },
  });
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

const say = (userId: string, content: string, channelId = h.general.id, replyTo?: string) =>
  h.emu.userSays({ channelId, userId, content, replyTo });
const botReplyTo = (msgId: string, channelId = h.general.id) => h.emu.waitForBotMessage(channelId, (m) => m.replyTo === msgId);
/** Waits for the reply to `msgId` to show exactly `text` (streamed replies are edited into place). */
const replyText = (msgId: string, text: string, channelId = h.general.id) =>
  h.emu.waitForBotMessage(channelId, (m) => m.replyTo === msgId && m.content === text);
type Msg = { role: string; content: string };
const lastRequest = () =>
  h.llm!.chatRequests().at(-1) as unknown as { model: string; temperature?: number; stream?: boolean; messages: Msg[] };

describe('conversation with the real discord.js client and openai SDK', () => {
  test('a mention gets a streamed reply built from the system prompt and the history', async () => {
    // ~1.5 s of streaming (15 chunks, 100 ms apart): longer than the responder's 800 ms typing delay, so the typing
    // indicator asserted below is sent (at 60 ms per chunk the whole reply took ~900 ms, a 100 ms margin).
    h.llm!.queue({
      text: 'Four. And here is a longer sentence so that the reply streams in several chunks over time.',
      chunkDelayMs: 100,
      chunkSize: 6,
    });
    const msg = say(h.alice.id, mention(h.emu.botUser.id, 'what is 2+2?'));
    const r = await replyText(msg.id, 'Four. And here is a longer sentence so that the reply streams in several chunks over time.');
    expect(r.edits.length).toBeGreaterThanOrEqual(1);
    expect(r.edits.length).toBeLessThanOrEqual(12);
    const req = lastRequest();
    expect(req.model).toBe('eos-test-model');
    expect(req.stream).toBe(true);
    const system = req.messages[0]!;
    expect(system.role).toBe('system');
    for (const part of ['Eos', 'Ali', 'Eos Lab', 'general']) expect(system.content).toContain(part);
    expect(req.messages.at(-1)).toEqual({ role: 'user', content: 'Ali: what is 2+2?' });
    expect(h.emu.typing.some((t) => t.channelId === h.general.id)).toBe(true);
  });

  test('the next turn carries the history, and the channel temperature is used', async () => {
    await h.app.state.setChannel(h.general.id, { temperature: 0.3 });
    h.llm!.queue({ text: 'You asked about 2+2.' });
    const msg = say(h.bob.id, mention(h.emu.botUser.id, 'what did Ali ask?'));
    await replyText(msg.id, 'You asked about 2+2.');
    const req = lastRequest();
    expect(req.temperature).toBe(0.3);
    const contents = req.messages.map((m) => m.content);
    expect(contents).toContain('Ali: what is 2+2?');
    expect(contents).toContain('Four. And here is a longer sentence so that the reply streams in several chunks over time.');
    expect(contents.at(-1)).toBe('Bob: what did Ali ask?');
    await h.app.state.setChannel(h.general.id, { temperature: undefined });
  });

  test('plain chatter gets no reply and no LLM call; a trigger word and a reply to Eos do', async () => {
    const before = h.llm!.chatRequests().length;
    const quiet = say(h.bob.id, 'just chatting with humans here');
    h.llm!.queue({ text: 'You called?' });
    const trig = say(h.bob.id, 'hey EOS, are you there?');
    const r1 = await replyText(trig.id, 'You called?');
    // Eos decides on a channel's messages in their order: the chatter was passed over before the trigger word was
    // answered, with the one LLM call the trigger word made.
    expect(h.llm!.chatRequests().length).toBe(before + 1);
    expect(lastRequest().messages.at(-1)?.content).toBe('Bob: hey EOS, are you there?');
    expect(h.emu.botMessages(h.general.id).some((m) => m.replyTo === quiet.id)).toBe(false);
    h.llm!.queue({ text: 'Replying to your reply.' });
    const rep = say(h.alice.id, 'thanks for that', h.general.id, r1.id);
    await replyText(rep.id, 'Replying to your reply.');
  });

  test('DMs are always answered', async () => {
    const dm = h.emu.createDM(h.alice.id);
    h.llm!.queue({ text: 'Hello in private.' });
    const msg = say(h.alice.id, 'hi there', dm.id);
    await replyText(msg.id, 'Hello in private.', dm.id);
  });

  test('a reply over 2000 characters is split at paragraph and code-block boundaries', async () => {
    const para = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(15).trim();
    const code = '```ts\n' + 'const x = 1; // a line of code\n'.repeat(40) + '```';
    const text = `${para}\n\n${code}\n\n${para}\n\n${para}`;
    h.llm!.queue({ text, chunkSize: 400 });
    const msg = say(h.alice.id, mention(h.emu.botUser.id, 'write a lot'));
    const first = await botReplyTo(msg.id);
    const parts = await h.emu.waitFor(
      () => {
        const mine = h.emu.botMessages(h.general.id).filter((m) => BigInt(m.id) >= BigInt(first.id));
        const joined = mine.map((m) => m.content).join('');
        return joined.replace(/\s|`|ts/g, '').length >= text.replace(/\s|`|ts/g, '').length && mine;
      },
      { label: 'all parts' },
    );
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) {
      expect(p.content.length).toBeLessThanOrEqual(2000);
      expect((p.content.match(/```/g) ?? []).length % 2).toBe(0);
    }
  });

  test('an LLM error gives a short apology', async () => {
    h.llm!.queue({ status: 500, error: 'boom' }, { status: 500, error: 'boom' }, { status: 500, error: 'boom' });
    const msg = say(h.bob.id, mention(h.emu.botUser.id, 'are you broken?'));
    const r = await botReplyTo(msg.id);
    expect(r.content).toMatch(/^Sorry, I couldn't reach the language model/);
  });

  test('an LLM that hangs gives a short apology within a bounded time', async () => {
    h.llm!.queue({ hangMs: 20_000 }, { hangMs: 20_000 }, { hangMs: 20_000 });
    const started = Date.now();
    const msg = say(h.bob.id, mention(h.emu.botUser.id, 'slow question'));
    const r = await botReplyTo(msg.id, h.general.id);
    expect(r.content).toMatch(/^Sorry, the language model took too long/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('a stream cut in the middle is marked as cut off', async () => {
    h.llm!.queue({ text: 'This reply will be cut off somewhere in the middle of it.', cutAfterChunks: 4, chunkDelayMs: 50 });
    const msg = say(h.bob.id, mention(h.emu.botUser.id, 'tell me a story'));
    const notice = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content.includes('cut off'));
    expect(notice.content).toMatch(/cut off|couldn't reach/);
  });

  test('a refusal is retried once and replaced', async () => {
    h.llm!.queue({ text: "I'm sorry, but I can't help with that request." }, { text: 'Sure! Here is a haiku about rain.' });
    const msg = say(h.alice.id, mention(h.emu.botUser.id, 'write a haiku about rain'));
    const r = await botReplyTo(msg.id);
    await h.emu.waitFor(() => r.content === 'Sure! Here is a haiku about rain.' && r, { label: 'refusal replaced' });
    const nudged = lastRequest().messages.at(-1)!;
    expect(nudged.role).toBe('system');
  });

  test('messages that arrive while a reply is being written are answered together, once', async () => {
    const before = h.llm!.chatRequests().length;
    h.llm!.queue({ text: 'First answer, slowly written out.', chunkDelayMs: 120, chunkSize: 4 }, { text: 'Second answer for both.' });
    const m1 = say(h.alice.id, mention(h.emu.botUser.id, 'first question'));
    await h.emu.waitFor(() => h.llm!.chatRequests().length > before);
    say(h.bob.id, mention(h.emu.botUser.id, 'second question'));
    const m3 = say(h.alice.id, mention(h.emu.botUser.id, 'third question'));
    await replyText(m1.id, 'First answer, slowly written out.');
    const second = await h.emu.waitForBotMessage(h.general.id, (m) => m.content === 'Second answer for both.');
    expect(second.replyTo).toBe(m3.id);
    const contents = lastRequest().messages.map((m) => m.content);
    expect(contents).toContain('Bob: second question');
    expect(contents.at(-1)).toBe('Ali: third question');
    // A later mention is answered next, by the third LLM call: no extra answer to the first three came in between.
    h.llm!.queue({ text: 'Fourth answer.' });
    const m4 = say(h.bob.id, mention(h.emu.botUser.id, 'fourth question'));
    await replyText(m4.id, 'Fourth answer.');
    expect(h.llm!.chatRequests().length).toBe(before + 3);
    expect(lastRequest().messages.at(-1)?.content).toBe('Bob: fourth question');
  });

  test('a user reply prefix is put before replies to that user', async () => {
    let msg = say(h.alice.id, '!replyprefix [for Ali]');
    await botReplyTo(msg.id);
    h.llm!.queue({ text: 'Prefixed answer.' });
    msg = say(h.alice.id, mention(h.emu.botUser.id, 'prefix please'));
    await replyText(msg.id, '[for Ali] Prefixed answer.');
    msg = say(h.alice.id, '!replyprefix off');
    await botReplyTo(msg.id);
  });

  test('a style note for the user appears in the system prompt once they have written a few messages', async () => {
    h.llm!.queue({ text: 'ok' });
    const msg = say(h.alice.id, mention(h.emu.botUser.id, 'style check!!'));
    await botReplyTo(msg.id);
    expect(lastRequest().messages[0]!.content).toMatch(/Ali/);
    expect(lastRequest().messages[0]!.content.toLowerCase()).toContain('style');
  });

  test('presence rotates through the configured texts', async () => {
    const texts = JSON.stringify(h.emu.presences) + JSON.stringify(h.emu.gatewayEvents.filter((e) => e.op === 3));
    expect(texts).toMatch(/Listening to \d+ channels|Type !help/);
  });
});
