import { afterAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses.reverse()) await h.close();
});
type Msg = { role: string; content: string };

describe('gateway faults and restarts', () => {
  test('the gateway drops mid-reply: the bot resumes, the reply completes, a message sent meanwhile is answered once', async () => {
    const h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250 } } });
    harnesses.push(h);
    h.llm!.queue(
      { text: 'A reply that keeps streaming while the gateway connection drops.', chunkDelayMs: 80, chunkSize: 5 },
      { text: 'Answer after resume.' },
    );
    const first = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: mention(h.emu.botUser.id, 'long answer please') });
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === first.id);
    h.emu.dropGateway();
    const during = h.emu.userSays({ channelId: h.general.id, userId: h.bob.id, content: mention(h.emu.botUser.id, 'did you get this?') });
    await h.emu.waitFor(() => h.emu.resumes >= 1 && h.emu.connected(), { label: 'resumed' });
    await h.emu.waitForBotMessage(
      h.general.id,
      (m) => m.replyTo === first.id && m.content === 'A reply that keeps streaming while the gateway connection drops.',
    );
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === during.id && m.content === 'Answer after resume.');
    // A later mention is answered after everything the resume replayed: by then a message handled twice would have
    // had a second answer, or would stand twice in the history the later request carries.
    h.llm!.queue({ text: 'Later answer.' });
    const later = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: mention(h.emu.botUser.id, 'and now?') });
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === later.id && m.content === 'Later answer.');
    expect(h.emu.botMessages(h.general.id).filter((m) => m.replyTo === during.id)).toHaveLength(1);
    expect(h.llm!.chatRequests()).toHaveLength(3);
    const history = (h.llm!.chatRequests().at(-1) as unknown as { messages: Msg[] }).messages.map((m) => m.content);
    expect(history.filter((c) => c === 'Bob: did you get this?')).toHaveLength(1);
    expect(h.emu.identifies).toBe(1);
    expect(h.emu.contractViolations).toEqual([]);
  });

  test('after a restart, settings persist and the history is backfilled from the channel', async () => {
    const h1 = await startHarness();
    harnesses.push(h1);
    const { emu, llm, dataDir } = h1;
    const owner = h1.owner.id;
    let msg = emu.userSays({ channelId: h1.random.id, userId: owner, content: '!temperature 0.2' });
    await emu.waitForBotMessage(h1.random.id, (m) => m.replyTo === msg.id);
    await h1.stopBot();
    emu.userSays({ channelId: h1.random.id, userId: h1.alice.id, content: 'the launch code word is PELICAN' });
    emu.userSays({ channelId: h1.random.id, userId: h1.bob.id, content: 'noted, PELICAN it is' });
    const h2 = await startHarness({ emu, fake: llm!, dataDir });
    harnesses.push(h2);
    llm!.queue({ text: 'It was PELICAN.' });
    msg = emu.userSays({ channelId: h1.random.id, userId: h1.alice.id, content: mention(emu.botUser.id, 'what was the code word?') });
    await emu.waitForBotMessage(h1.random.id, (m) => m.replyTo === msg.id && m.content === 'It was PELICAN.');
    const req = llm!.chatRequests().at(-1) as unknown as { temperature: number; messages: Msg[] };
    expect(req.temperature).toBe(0.2);
    const contents = req.messages.map((m) => m.content);
    expect(contents).toContain('Ali: the launch code word is PELICAN');
    expect(contents).toContain('Bob: noted, PELICAN it is');
    expect(emu.requests.some((r) => r.method === 'GET' && r.route === '/channels/{channel_id}/messages')).toBe(true);
    expect(emu.contractViolations).toEqual([]);
  });
});
