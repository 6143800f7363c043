import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmuMessage, RecordedRequest } from '../emulator/index.js';
import { startHarness, mention, type Harness } from './harness.js';

// REST calls per reply (issue 12): a reply that is complete within the first edit interval is one message POST
// carrying the 👍/👎 buttons (no PATCH); a slower stream keeps the send + edits path and gets its buttons
// by an edit. Since the buttons exist before Eos has the POST's answer (and so before it captured the reply), a
// click, a reaction or a !correct that arrives first must wait for that capture, not answer "unknown".
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 1000 } } });
  // The channel's one-time recording notice is a POST of its own: have it sent before the tests count.
  await ask('Hello?', 'Hello!');
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

const MESSAGES = '/channels/{channel_id}/messages';
const MESSAGE = '/channels/{channel_id}/messages/{message_id}';
type Rec = { messages: { role: string; content: string }[] };
const interactionReply = (id: string) =>
  h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === id)).then((x) => x.data as { content?: string });
/** Where the active dataset's files are (top-level, or the server's own with per-server data). */
let datasetDir = () => path.join(h.dataDir, 'datasets', 'default');
async function lines(name: string): Promise<Rec[]> {
  const text = await readFile(path.join(datasetDir(), name), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
}
const lastTurns = async (name: string) => (await lines(name)).map((r) => r.messages.at(-1)?.content);
const channelCalls = (from: number) => h.emu.requests.slice(from).filter((x) => x.path.startsWith(`/channels/${h.general.id}/`));

async function ask(question: string, answer: string): Promise<EmuMessage> {
  h.llm!.queue({ text: answer });
  const q = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: mention(h.emu.botUser.id, question) });
  return h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === q.id);
}

/** Asks with the answer to the reply's POST held back `ms`: resolves when the reply exists, before Eos knows it. */
async function askWithLateAnswer(question: string, answer: string, ms: number): Promise<{ reply: EmuMessage; post: RecordedRequest }> {
  h.emu.delayNext({ method: 'POST', route: MESSAGES, ms });
  const from = h.emu.requests.length;
  const reply = await ask(question, answer);
  const post = h.emu.requests.slice(from).find((x) => x.method === 'POST' && x.route === MESSAGES)!;
  expect(reply.components.length).toBeGreaterThan(0); // the buttons came with the message
  expect(post.status).toBe(0); // not answered yet: Eos has not seen the message's id
  return { reply, post };
}

describe('REST calls per reply', () => {
  test('an instant reply is one message POST with its buttons (no PATCH), and 👍 on it makes a positive record', async () => {
    const answer = 'Paris is the capital of France, on the Seine.';
    const from = h.emu.requests.length;
    const r = await ask('Capital of France?', answer);
    expect(r.content).toBe(answer);
    expect(r.components.length).toBeGreaterThan(0); // present at creation
    const click = h.emu.clickButton({
      customId: 'eos:fb:up',
      userId: h.bob.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      messageId: r.id,
    });
    expect((await interactionReply(click.id)).content).toMatch(/^Thanks! Saved as a positive example/);
    expect(await lastTurns('positive.jsonl')).toContain(answer);
    const calls = channelCalls(from);
    const posts = calls.filter((x) => x.method === 'POST' && x.route === MESSAGES);
    expect(posts).toHaveLength(1);
    expect((posts[0]!.body as { message_reference?: { message_id?: string } }).message_reference?.message_id).toBe(r.replyTo);
    expect(calls.filter((x) => x.method === 'PATCH' && x.route === MESSAGE)).toHaveLength(0);
    // (Typing is not asserted: it is sent when a reply takes over 800 ms, which a loaded machine can reach.)
  });

  test('a reply still streaming after the first interval: send, edits, then the buttons by an edit', async () => {
    const answer = 'one two three four five six seven eight';
    h.llm!.queue({ text: answer, chunkSize: 4, chunkDelayMs: 250 }); // about 2.5 s
    const from = h.emu.requests.length;
    const q = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: mention(h.emu.botUser.id, 'Count to eight?') });
    const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === q.id);
    await h.emu.waitFor(() => (r.content === answer && r.components.length > 0 ? true : undefined), { label: 'final text with buttons' });
    const calls = channelCalls(from);
    expect(calls.filter((x) => x.method === 'POST' && x.route === MESSAGES)).toHaveLength(1);
    expect(calls.filter((x) => x.method === 'PATCH' && x.route === MESSAGE).length).toBeGreaterThanOrEqual(1);
  });
});

describe('feedback that arrives before the answer to the reply POST', () => {
  test('a 👍 click is held until the reply is captured, then saved', async () => {
    const { reply, post } = await askWithLateAnswer('Largest planet?', 'Jupiter, by far.', 1500);
    const click = h.emu.clickButton({
      customId: 'eos:fb:up',
      userId: h.bob.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      messageId: reply.id,
    });
    expect((await interactionReply(click.id)).content).toBe('Thanks! Saved as a positive example in **default**.');
    expect(post.status).toBe(200);
    expect(await lastTurns('positive.jsonl')).toContain('Jupiter, by far.');
  });

  test('a 👎 reaction is held until the reply is captured, then saved', async () => {
    const { reply } = await askWithLateAnswer('Is ice hot?', 'Yes, ice is hot.', 1500);
    h.emu.addReaction({ channelId: h.general.id, messageId: reply.id, userId: h.bob.id, emoji: '👎' });
    await h.emu.waitFor(async () => ((await lastTurns('negative.jsonl')).includes('Yes, ice is hot.') ? true : undefined), {
      label: 'negative record of the reaction',
    });
  });

  test('a !correct replying to it is held until the reply is captured, then saved', async () => {
    const { reply } = await askWithLateAnswer('How many moons has Mars?', 'Three.', 1500);
    const cmd = h.emu.userSays({
      channelId: h.general.id,
      userId: h.alice.id,
      content: '!correct Two: Phobos and Deimos.',
      replyTo: reply.id,
    });
    const ok = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === cmd.id);
    expect(ok.content).toMatch(/^Correction saved in \*\*default\*\*/);
    expect(await lastTurns('negative.jsonl')).toContain('Three.');
    expect(await lastTurns('positive.jsonl')).toContain('Two: Phobos and Deimos.');
  });

  test('a !correct without a reference corrects that reply, not the one before it', async () => {
    const { reply } = await askWithLateAnswer('Boiling point of water at sea level?', '50 °C.', 1500);
    expect(reply.content).toBe('50 °C.');
    const cmd = h.emu.userSays({ channelId: h.general.id, userId: h.owner.id, content: '!correct 100 °C.' });
    const ok = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === cmd.id);
    expect(ok.content).toMatch(/^Correction saved/);
    expect(await lastTurns('negative.jsonl')).toContain('50 °C.');
    expect(await lastTurns('positive.jsonl')).toContain('100 °C.');
  });
});

describe("per-server data (the product default): captured by the owners' service, rated through the server's", () => {
  let single: Harness;
  beforeAll(async () => {
    single = h;
    h = await startHarness({ behaviour: { perServerData: true, conversation: { streamEditIntervalMs: 1000 } } });
    datasetDir = () => path.join(h.dataDir, 'guilds', h.guild.id, 'datasets', 'default');
    await ask('Hello?', 'Hello!');
  });
  afterAll(async () => {
    expect(h.emu.contractViolations).toEqual([]);
    await h.close();
    h = single;
  });

  test("a 👍 click before the answer to the reply POST lands in the server's dataset", async () => {
    const { reply, post } = await askWithLateAnswer('Smallest planet?', 'Mercury.', 1500);
    const click = h.emu.clickButton({
      customId: 'eos:fb:up',
      userId: h.bob.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      messageId: reply.id,
    });
    expect((await interactionReply(click.id)).content).toBe('Thanks! Saved as a positive example in **default**.');
    expect(post.status).toBe(200);
    expect(await lastTurns('positive.jsonl')).toContain('Mercury.');
  });
});
