import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';

/** Deterministic "random": every draw returns the next value of the list (then 0.99). */
function scripted(values: number[]) {
  return () => values.shift() ?? 0.99;
}

let h: Harness;
let extra: ReturnType<Harness['emu']['createUser']>;
let quietChannel: ReturnType<Harness['emu']['createChannel']>;
const draws: number[] = [];
beforeAll(async () => {
  h = await startHarness({
    random: scripted(draws),
    behaviour: (w) => ({
      block: { users: [w.bob.id], roles: [] },
      allowedChannels: [w.general.id],
      conversation: { replyEveryN: 3, streamEditIntervalMs: 250 },
    }),
  });
  extra = h.emu.createUser({ username: 'carol', globalName: 'Carol' });
  h.emu.addMember(h.guild.id, extra.id);
  quietChannel = h.random;
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

const say = (userId: string, content: string, channelId = h.general.id) => h.emu.userSays({ channelId, userId, content });
const replyTo = (id: string, channelId = h.general.id) => h.emu.waitForBotMessage(channelId, (m) => m.replyTo === id);

describe('permissions and reply rules end to end', () => {
  test('a blocked user gets a short denial for commands and mentions, and no LLM call', async () => {
    const before = h.llm!.chatRequests().length;
    let msg = say(h.bob.id, '!hi');
    expect((await replyTo(msg.id)).content).toBe("Sorry, you're not allowed to use Eos.");
    msg = say(h.bob.id, mention(h.emu.botUser.id, 'hello?'));
    expect((await replyTo(msg.id)).content).toBe("Sorry, you're not allowed to use Eos.");
    expect(h.llm!.chatRequests().length).toBe(before);
  });

  test('outside the allowed channels: commands and mentions are refused, admins may still use commands', async () => {
    let msg = say(h.alice.id, '!hi', quietChannel.id);
    expect((await replyTo(msg.id, quietChannel.id)).content).toBe("Eos isn't enabled in this channel.");
    msg = say(h.alice.id, mention(h.emu.botUser.id, 'hi'), quietChannel.id);
    expect((await replyTo(msg.id, quietChannel.id)).content).toBe("Eos isn't enabled in this channel.");
    msg = say(h.owner.id, '!hi', quietChannel.id);
    expect((await replyTo(msg.id, quietChannel.id)).content).toMatch(/^Hi Olivia!/);
  });

  test('every N messages Eos joins in by itself (N = 3)', async () => {
    h.llm!.queue({ text: 'Counter reset.' }, { text: 'Joining in on the third message.' });
    const reset = say(extra.id, mention(h.emu.botUser.id, 'start counting from here'));
    const first = await replyTo(reset.id);
    await h.emu.waitFor(() => first.content === 'Counter reset.' && first);
    say(extra.id, 'one');
    say(extra.id, 'two');
    const third = say(extra.id, 'three');
    const r = await replyTo(third.id);
    expect(h.emu.botMessages(h.general.id).filter((m) => BigInt(m.id) > BigInt(first.id))).toHaveLength(1);
    await h.emu.waitFor(() => r.content === 'Joining in on the third message.' && r);
  });

  test('the per-channel reply probability decides for other messages', async () => {
    await h.app.state.setChannel(h.general.id, { replyProbability: 0.5 });
    const before = h.llm!.chatRequests().length;
    draws.push(0.7);
    const no = say(extra.id, 'a message that loses the draw');
    draws.push(0.2);
    h.llm!.queue({ text: 'I won the draw.' });
    const yes = say(extra.id, 'a message that wins the draw');
    const r = await replyTo(yes.id);
    await h.emu.waitFor(() => r.content === 'I won the draw.' && r);
    // The channel's messages are decided in order: the first lost its draw before the second won its own, and only
    // the second made an LLM call.
    expect(h.llm!.chatRequests().length).toBe(before + 1);
    const last = h.llm!.chatRequests().at(-1) as unknown as { messages: { content: string }[] };
    expect(last.messages.at(-1)?.content).toMatch(/a message that wins the draw$/);
    expect(h.emu.botMessages(h.general.id).some((m) => m.replyTo === no.id)).toBe(false);
    await h.app.state.setChannel(h.general.id, { replyProbability: undefined });
  });

  test('reactions chosen by the LLM, with the per-channel probability', async () => {
    await h.app.state.setChannel(h.general.id, { reactionProbability: 1 });
    h.llm!.queue({ text: '🎉' });
    draws.push(0.99, 0.0);
    const msg = say(extra.id, 'we shipped the release today');
    const reaction = await h.emu.waitFor(() => h.emu.reactions.find((r) => r.messageId === msg.id));
    expect(reaction.emoji).toBe('🎉');
    expect(reaction.userId).toBe(h.emu.botUser.id);
    await h.app.state.setChannel(h.general.id, { reactionProbability: undefined });
  });
});
