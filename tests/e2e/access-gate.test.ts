/**
 * One admission gate for every way into Eos (issue 9, item 3): a blocked user is refused in text,
 * slash commands, buttons, reactions, the context menu, modals and voice messages; their messages
 * enter no prompt, log or record; commands share the per-user rate limit; feedback acts only on
 * replies in the channel where it is used; slash denials and admin outputs are ephemeral.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';
import type { EmuUser } from '../emulator/index.js';

let h: Harness;
let carol: EmuUser;
let dave: EmuUser;
beforeAll(async () => {
  h = await startHarness({
    behaviour: (w) => ({
      block: { users: [w.bob.id], roles: [] },
      conversation: { streamEditIntervalMs: 250, userRateLimit: { count: 5, perSeconds: 600 } },
    }),
  });
  carol = h.emu.createUser({ username: 'carol', globalName: 'Carol' });
  dave = h.emu.createUser({ username: 'dave', globalName: 'Dave' });
  h.emu.addMember(h.guild.id, carol.id);
  h.emu.addMember(h.guild.id, dave.id);
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

const say = (userId: string, content: string, extra: { channelId?: string; replyTo?: string } = {}) =>
  h.emu.userSays({ channelId: extra.channelId ?? h.general.id, userId, content, replyTo: extra.replyTo });
const replyTo = (id: string, channelId = h.general.id) => h.emu.waitForBotMessage(channelId, (m) => m.replyTo === id);
const interactionReply = (id: string) =>
  h.emu
    .waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === id))
    .then((x) => x.data as { content?: string; flags?: number; attachments?: unknown[] });
const read = (...p: string[]) => readFile(path.join(h.dataDir, ...p), 'utf8').catch(() => '');
const chatText = () => JSON.stringify(h.llm!.chatRequests());

/** The owner (never rate limited) asks; the answer, with its feedback buttons, can be rated. */
async function ask(question: string, answer: string, userId = h.owner.id) {
  h.llm!.queue({ text: answer });
  const msg = say(userId, mention(h.emu.botUser.id, question));
  const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content === answer);
  return h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { label: 'feedback buttons' });
}

describe('a blocked user, everywhere', () => {
  test('text: commands and mentions get a short denial; plain messages are not kept: they never reach a prompt or a log', async () => {
    const cmd = say(h.bob.id, '!hi');
    expect((await replyTo(cmd.id)).content).toBe("Sorry, you're not allowed to use Eos.");
    say(h.bob.id, 'BOB-SECRET-PLAN is to take over the channel');
    const m = say(h.bob.id, mention(h.emu.botUser.id, 'BOB-SECOND-SECRET hello?'));
    expect((await replyTo(m.id)).content).toBe("Sorry, you're not allowed to use Eos.");
    await ask('what did people say here?', 'Nothing much.');
    expect(chatText()).not.toContain('BOB-');
    expect(await read('conversations', `${h.guild.id}_${h.general.id}.jsonl`)).not.toContain('BOB-');
  });

  test("a 👍 reaction by a blocked user is ignored: no record; a member's 👍 afterwards is saved", async () => {
    const r = await ask('What colour is the sky?', 'Blue.');
    h.emu.addReaction({ channelId: h.general.id, messageId: r.id, userId: h.bob.id, emoji: '👍' });
    h.emu.addReaction({ channelId: h.general.id, messageId: r.id, userId: carol.id, emoji: '👎' });
    await h.emu.waitFor(async () => (await read('datasets', 'default', 'negative.jsonl')).includes('Blue.'), {
      label: "carol's 👎 stored",
    });
    expect(await read('datasets', 'default', 'positive.jsonl')).not.toContain('Blue.');
  });

  test('buttons, the context menu and a modal by a blocked user are refused ephemerally and store nothing', async () => {
    const r = await ask('What is 3 times 3?', 'Nine.');
    const before = await read('datasets', 'default', 'positive.jsonl');
    const click = h.emu.clickButton({ customId: 'eos:fb:up', userId: h.bob.id, channelId: h.general.id, messageId: r.id });
    expect(await interactionReply(click.id)).toMatchObject({ content: "Sorry, you're not allowed to use Eos.", flags: 64 });
    const menu = h.emu.interaction({ name: 'Correct reply', type: 2, userId: h.bob.id, channelId: h.general.id, targetMessageId: r.id });
    expect(await interactionReply(menu.id)).toMatchObject({ content: "Sorry, you're not allowed to use Eos.", flags: 64 });
    const modal = h.emu.interaction({
      name: `eos:correct:${r.id}`,
      type: 5,
      customId: `eos:correct:${r.id}`,
      userId: h.bob.id,
      channelId: h.general.id,
      components: [{ type: 1, components: [{ type: 4, custom_id: 'better', value: 'BOB-CORRECTION' }] }],
    });
    expect(await interactionReply(modal.id)).toMatchObject({ content: "Sorry, you're not allowed to use Eos.", flags: 64 });
    const slash = h.emu.interaction({ name: 'hi', userId: h.bob.id, channelId: h.general.id, guildId: h.guild.id });
    expect(await interactionReply(slash.id)).toMatchObject({ content: "Sorry, you're not allowed to use Eos.", flags: 64 });
    expect(await read('datasets', 'default', 'positive.jsonl')).toBe(before);
    expect(await read('datasets', 'default', 'negative.jsonl')).not.toContain('BOB-CORRECTION');
  });

  test('a voice message by a blocked user is not transcribed or answered', async () => {
    const from = h.llm!.requests.length;
    const voice = h.emu.userSays({
      channelId: h.general.id,
      userId: h.bob.id,
      content: '',
      flags: 8192,
      attachments: [
        { name: 'voice-message.ogg', data: Buffer.from('OggS-not-really'), contentType: 'audio/ogg', durationSecs: 1, waveform: 'AAAA' },
      ],
    });
    expect((await replyTo(voice.id)).content).toBe("Sorry, you're not allowed to use Eos.");
    await ask('still there?', 'Yes.');
    expect(h.emu.botMessages(h.general.id).filter((m) => m.replyTo === voice.id)).toHaveLength(1);
    expect(h.llm!.requests.slice(from).some((r) => r.path.includes('/audio/'))).toBe(false);
  });
});

describe('per-user rate limit shared by commands and replies', () => {
  test('25 `!ping @alice` in a burst ping alice 5 times (the limit) and get one notice', async () => {
    const sent = Array.from({ length: 25 }, () => say(carol.id, `!ping <@${h.alice.id}>`));
    const last = sent.at(-1)!;
    await h.emu.waitFor(
      () => h.emu.botMessages(h.general.id).filter((m) => sent.some((s) => s.id === m.replyTo)).length >= 6 || undefined,
      {
        label: '5 pings and a notice',
      },
    );
    // A sync point after the burst: the owner (never rate limited) gets an answer once the burst was handled.
    const sync = say(h.owner.id, '!hi');
    await replyTo(sync.id);
    const replies = h.emu.botMessages(h.general.id).filter((m) => sent.some((s) => s.id === m.replyTo));
    expect(replies.filter((m) => m.content.includes(`<@${h.alice.id}>`))).toHaveLength(5);
    expect(replies.filter((m) => /faster than I can answer/.test(m.content))).toHaveLength(1);
    expect(replies).toHaveLength(6);
    expect(last.id).toBeTruthy();
  });

  test('commands and conversation draw on the same budget', async () => {
    for (let i = 0; i < 5; i++) await replyTo(say(dave.id, '!hi').id);
    const before = h.llm!.chatRequests().length;
    const m = say(dave.id, mention(h.emu.botUser.id, 'one more question'));
    expect((await replyTo(m.id)).content).toMatch(/faster than I can answer/);
    expect(h.llm!.chatRequests().length).toBe(before);
  });
});

describe('!test cases count as LLM calls', () => {
  test('an 8-case suite with a budget of 5 makes 5 model calls; the rest are refused, not sent', async () => {
    const erin = h.emu.createUser({ username: 'erin', globalName: 'Erin' });
    h.emu.addMember(h.guild.id, erin.id);
    const cases = Array.from({ length: 8 }, (_, i) => ({ input: `case ${i}`, assert: [{ type: 'contains', value: 'x' }] }));
    const before = h.llm!.chatRequests().length;
    const msg = say(erin.id, `!test --raw ${JSON.stringify(cases)}`);
    // The suite ends with its result (the over-limit cases fail) or with the rate-limit notice.
    await h.emu.waitFor(
      () => h.emu.botMessages(h.general.id).find((m) => m.replyTo === msg.id && /passed|faster than I can answer/.test(m.content)),
      {
        timeoutMs: 20_000,
        label: 'suite result',
      },
    );
    expect(h.llm!.chatRequests().length - before).toBe(5);
    // Over the limit: her next mention makes no model call either (sync point: the owner, never limited).
    say(erin.id, mention(h.emu.botUser.id, 'and now a question'));
    const sync = say(h.owner.id, '!hi');
    await replyTo(sync.id);
    expect(h.llm!.chatRequests().length - before).toBe(5);
  });
});

describe('feedback only where it is used', () => {
  test('!correct <id> from a server channel cannot reach a reply in a DM; nothing is stored', async () => {
    const dm = h.emu.createDM(h.owner.id);
    h.llm!.queue({ text: 'DM-PRIVATE-ANSWER' });
    const q = h.emu.userSays({ channelId: dm.id, userId: h.owner.id, content: 'DM-PRIVATE-QUESTION' });
    const private_ = await h.emu.waitForBotMessage(dm.id, (m) => m.replyTo === q.id && m.content === 'DM-PRIVATE-ANSWER');
    await h.emu.waitFor(() => (private_.components.length > 0 ? private_ : undefined), { label: 'DM reply captured' });
    const cmd = say(h.alice.id, `!correct ${private_.id} a better answer`);
    // Refused either way: the candidate router may find the DM reply (then "only in this channel") or not know it
    // from this server's journal (then "not one of my recent replies"); what matters is below: nothing is stored.
    expect((await replyTo(cmd.id)).content).toMatch(
      /^(I can only correct my replies in this channel\.|That isn't one of my recent conversation replies)/,
    );
    for (const f of ['positive.jsonl', 'negative.jsonl', 'preference.jsonl'])
      expect(await read('datasets', 'default', f)).not.toContain('DM-PRIVATE');
    const modal = h.emu.interaction({
      name: `eos:correct:${private_.id}`,
      type: 5,
      customId: `eos:correct:${private_.id}`,
      userId: h.alice.id,
      channelId: h.general.id,
      components: [{ type: 1, components: [{ type: 4, custom_id: 'better', value: 'forged' }] }],
    });
    expect(await interactionReply(modal.id)).toMatchObject({ content: 'Corrections only apply to my replies in this channel.', flags: 64 });
    for (const f of ['positive.jsonl', 'negative.jsonl', 'preference.jsonl'])
      expect(await read('datasets', 'default', f)).not.toContain('DM-PRIVATE');
  });
});

describe('private things stay private (slash)', () => {
  test('a slash denial is ephemeral; admin commands are registered for Manage Server only', async () => {
    const i = h.emu.interaction({
      name: 'temperature',
      userId: h.alice.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      options: [{ name: 'value', type: 3, value: '1' }],
    });
    expect(await interactionReply(i.id)).toMatchObject({ content: 'Only Eos admins can use this command.', flags: 64 });
    // Over the rate limit (carol flooded above), a slash command still gets its ephemeral answer.
    const limited = h.emu.interaction({ name: 'hi', userId: carol.id, channelId: h.general.id, guildId: h.guild.id });
    expect(await interactionReply(limited.id)).toMatchObject({ content: expect.stringMatching(/faster than I can answer/), flags: 64 });
    const registered = [...h.emu.commands.global, ...Object.values(h.emu.commands.guild).flat()] as {
      name: string;
      default_member_permissions?: number | string | null;
    }[];
    const perms = Object.fromEntries(registered.map((c) => [c.name, c.default_member_permissions ?? null]));
    for (const admin of ['getfile', 'archive', 'puppet', 'select_dataset', 'temperature', 'recording', 'audit'])
      expect(Number(perms[admin]), admin).toBe(32);
    for (const open of ['hi', 'help', 'train', 'correct', 'privacy', 'optout', 'forget']) expect(perms[open], open).toBeNull();
  });

  test('/getfile by the owner: the file arrives ephemeral; !getfile in a server channel goes by DM', async () => {
    await replyTo(say(h.owner.id, '!train User: ping\nAssistant: pong').id);
    const i = h.emu.interaction({
      name: 'getfile',
      userId: h.owner.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      options: [{ name: 'path', type: 3, value: 'datasets/default/positive.jsonl' }],
    });
    const resp = await interactionReply(i.id);
    expect(resp.flags).toBe(64);
    const prefix = say(h.owner.id, '!getfile datasets/default/positive.jsonl');
    expect((await replyTo(prefix.id)).content).toBe('📬 Sent to you by DM.');
    const dm = h.emu.createDM(h.owner.id);
    const file = await h.emu.waitForBotMessage(dm.id, (m) => m.attachments.some((a) => a.filename === 'positive.jsonl'));
    expect(file.attachments[0]!.data.toString()).toContain('pong');
    expect(
      h.emu.botMessages(h.general.id).some((m) => m.attachments.some((a) => a.filename === 'positive.jsonl') && (m.flags & 64) === 0),
    ).toBe(false);
  });
});
