import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250 } } });
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

type Rec = { messages: { role: string; content: string }[] };
const file = (name: string) => path.join(h.dataDir, 'datasets', 'default', name);
async function lines<T = Rec>(name: string): Promise<T[]> {
  const text = await readFile(file(name), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}
const say = (userId: string, content: string, replyTo?: string) => h.emu.userSays({ channelId: h.general.id, userId, content, replyTo });
const replyTo = (id: string, text?: string) =>
  h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === id && (text === undefined || m.content === text));
async function ask(question: string, answer: string) {
  h.llm!.queue({ text: answer });
  const msg = say(h.alice.id, mention(h.emu.botUser.id, question));
  const r = await replyTo(msg.id, answer);
  return h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { label: 'feedback buttons' });
}
const interactionReply = (id: string) =>
  h.emu
    .waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === id))
    .then((x) => x.data as { content?: string; flags?: number });

describe('feedback turns replies into training data', () => {
  test('👍 button: the reply and its context go to positive, once', async () => {
    const r = await ask('What is the capital of France?', 'Paris.');
    const click = h.emu.clickButton({
      customId: 'eos:fb:up',
      userId: h.bob.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      messageId: r.id,
    });
    const ack = await interactionReply(click.id);
    expect(ack.content).toBe('Thanks! Saved as a positive example in **default**.');
    expect(ack.flags).toBe(64);
    const pos = await lines('positive.jsonl');
    expect(pos).toHaveLength(1);
    const msgs = pos[0]!.messages;
    expect(msgs[0]!.role).toBe('system');
    expect(msgs.at(-2)).toEqual({ role: 'user', content: 'Ali: What is the capital of France?' });
    expect(msgs.at(-1)).toEqual({ role: 'assistant', content: 'Paris.', weight: 1 });
    const again = h.emu.clickButton({
      customId: 'eos:fb:up',
      userId: h.bob.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      messageId: r.id,
    });
    expect((await interactionReply(again.id)).content).toMatch(/already rated/);
    expect(await lines('positive.jsonl')).toHaveLength(1);
  });

  test('👎 reaction on a reply sends it to negative', async () => {
    const r = await ask('Is the sun cold?', 'Yes, very cold.');
    h.emu.addReaction({ channelId: h.general.id, messageId: r.id, userId: h.bob.id, emoji: '👎' });
    const got = await waitForLines('negative.jsonl', 1);
    expect(got[0]!.messages.at(-1)).toEqual({ role: 'assistant', content: 'Yes, very cold.', weight: 1 });
  });

  test('!correct as a reply: negative, corrected positive and a preference pair, in one line', async () => {
    const r = await ask('How many legs does a spider have?', 'Six.');
    const cmd = say(h.alice.id, '!correct Eight.', r.id);
    const ok = await replyTo(cmd.id);
    expect(ok.content.split('\n')).toHaveLength(1);
    expect(ok.content).toMatch(/^Correction saved in \*\*default\*\*/);
    const neg = await lines('negative.jsonl');
    expect(neg.at(-1)!.messages.at(-1)).toEqual({ role: 'assistant', content: 'Six.', weight: 1 });
    const pos = await lines('positive.jsonl');
    expect(pos.at(-1)!.messages.at(-1)).toEqual({ role: 'assistant', content: 'Eight.', weight: 1 });
    const pref = await lines<{ input: Rec; preferred_output: unknown[]; non_preferred_output: unknown[] }>('preference.jsonl');
    expect(pref.at(-1)!.preferred_output).toEqual([{ role: 'assistant', content: 'Eight.' }]);
    expect(pref.at(-1)!.non_preferred_output).toEqual([{ role: 'assistant', content: 'Six.' }]);
    expect(pref.at(-1)!.input.messages.at(-1)).toEqual({ role: 'user', content: 'Ali: How many legs does a spider have?' });
  });

  test('the correction is in the very next answer to the same question (few-shot memory)', async () => {
    h.llm!.queue({ text: 'Eight legs.' });
    const msg = say(h.bob.id, mention(h.emu.botUser.id, 'How many legs does a spider have?'));
    await replyTo(msg.id, 'Eight legs.');
    const req = h.llm!.chatRequests().at(-1) as unknown as Rec;
    const i = req.messages.findIndex((m) => m.role === 'assistant' && m.content === 'Eight.');
    expect(i).toBeGreaterThan(0);
    expect(req.messages[i - 1]!.role).toBe('user');
    expect(req.messages[i - 1]!.content).toMatch(/How many legs does a spider have\?$/);
    // The corrected answer is gone from the live history too: the prompt never repeats it.
    expect(req.messages.map((m) => m.content)).not.toContain('Six.');
  });

  test('!correct <message_id> <answer> works without replying', async () => {
    const r = await ask('What colour is the sky?', 'Green.');
    const cmd = say(h.owner.id, `!correct ${r.id} Blue, on a clear day.`);
    expect((await replyTo(cmd.id)).content).toMatch(/^Correction saved/);
    expect((await lines('positive.jsonl')).at(-1)!.messages.at(-1)!.content).toBe('Blue, on a clear day.');
  });

  test('"Correct reply" context menu opens a modal whose answer is saved', async () => {
    const r = await ask('What is 10 / 4?', '2.');
    const menu = h.emu.interaction({
      name: 'Correct reply',
      type: 2,
      userId: h.alice.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      targetMessageId: r.id,
    });
    const modal = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === menu.id));
    expect(modal.type).toBe(9);
    const customId = (modal.data as { custom_id: string }).custom_id;
    const submit = h.emu.interaction({
      name: customId,
      type: 5,
      customId,
      userId: h.alice.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      components: [{ type: 1, components: [{ type: 4, custom_id: 'better', value: '2.5' }] }],
    });
    expect((await interactionReply(submit.id)).content).toMatch(/^Correction saved in \*\*default\*\*/);
    expect((await lines('positive.jsonl')).at(-1)!.messages.at(-1)!.content).toBe('2.5');
  });

  test('!feedback as a reply is stored with the reply it is about', async () => {
    const r = await ask('Tell me a joke', 'Why did the chicken cross the road?');
    const cmd = say(h.bob.id, '!feedback too old, try a new one', r.id);
    expect((await replyTo(cmd.id)).content).toBe('Thanks! Feedback saved in **default**, linked to that reply.');
    const fb = await lines<{ feedback: string; reply?: string }>('feedback.jsonl');
    expect(fb.at(-1)).toMatchObject({ feedback: 'too old, try a new one', reply: 'Why did the chicken cross the road?' });
  });

  test('conversations are logged per channel, and no dataset or log holds a user ID', async () => {
    const convDir = path.join(h.dataDir, 'conversations');
    const names = await readdir(convDir);
    expect(names).toContain(`${h.guild.id}_${h.general.id}.jsonl`);
    const conv = (await readFile(path.join(convDir, `${h.guild.id}_${h.general.id}.jsonl`), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(conv.some((l) => l.role === 'user' && l.content === 'What is the capital of France?' && l.name === 'Ali')).toBe(true);
    expect(conv.some((l) => l.role === 'assistant' && l.content === 'Paris.')).toBe(true);
    for (const l of conv) expect(Object.keys(l).sort()).toEqual(expect.arrayContaining(['content', 'role', 'timestamp']));
    const ids = [h.alice.id, h.bob.id, h.owner.id, h.emu.botUser.id];
    const files = [
      ...(await readdir(path.join(h.dataDir, 'datasets', 'default'))).map((f) => path.join(h.dataDir, 'datasets', 'default', f)),
      ...names.map((f) => path.join(convDir, f)),
    ];
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      for (const id of ids) expect(text, `${f} contains a user ID`).not.toContain(id);
    }
  });
});

async function waitForLines(name: string, n: number): Promise<Rec[]> {
  for (let i = 0; i < 100; i++) {
    const got = await lines(name);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} never reached ${n} lines`);
}
