import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AttachmentBuilder, DiscordAPIError, GatewayIntentBits, Partials, type Client, type Message, type TextChannel } from 'discord.js';
import { createDiscordContract } from '../emulator/index.js';
import { startTextWorld, type TextWorld } from './text-setup.js';

const contract = createDiscordContract();

let w: TextWorld;
beforeEach(async () => {
  w = await startTextWorld({
    contract,
    login: {
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.MessageContent,
        GatewayIntentBits.DirectMessages,
      ],
      partials: [Partials.Channel],
    },
  });
});
afterEach(() => w.close());

function channel(): TextChannel {
  return w.client?.channels.cache.get(w.general.id) as TextChannel;
}

async function nextMessage(c: Client, content: string): Promise<Message> {
  return new Promise((resolve) => {
    const on = (m: Message): void => {
      if (m.content !== content) return;
      c.off('messageCreate', on);
      resolve(m);
    };
    c.on('messageCreate', on);
  });
}

describe('REST', () => {
  test('send, reply, edit, react and typing are stored, recorded and echoed', async () => {
    const c = w.client!;
    const incoming = nextMessage(c, 'question');
    const userMsg = w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'question' });
    const m = await incoming;
    const echoed = nextMessage(c, 'answer');
    const reply = await m.reply('answer');
    expect((await echoed).author.id).toBe(w.emu.botUser.id);
    await reply.edit('better answer');
    await reply.react('👍');
    await channel().sendTyping();
    await channel().send('plain');

    const [first, second, third] = w.emu.messages(w.general.id);
    expect(first?.id).toBe(userMsg.id);
    expect(second).toMatchObject({ content: 'better answer', edits: ['answer'], replyTo: userMsg.id, type: 19, fromBot: true });
    expect(third?.content).toBe('plain');
    expect(w.emu.botMessages(w.general.id)).toHaveLength(2);
    expect(w.emu.reactions).toEqual([{ channelId: w.general.id, messageId: reply.id, emoji: '👍', userId: w.emu.botUser.id }]);
    expect(w.emu.typing.map((t) => t.channelId)).toEqual([w.general.id]);
    const post = w.emu.requests.find((r) => r.method === 'POST' && r.route === '/channels/{channel_id}/messages');
    expect(post).toMatchObject({ hasAuth: true, status: 200, body: { content: 'answer' } });
    expect(post?.headers.authorization).toBeUndefined();
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('multipart upload: attachment stored with metadata and downloadable from its URL', async () => {
    const data = Buffer.from('hello file contents');
    const sent = await channel().send({ content: 'see file', files: [new AttachmentBuilder(data, { name: 'notes.txt' })] });
    const att = sent.attachments.first();
    expect(att?.name).toBe('notes.txt');
    expect(att?.size).toBe(data.length);
    const stored = w.emu.messages(w.general.id)[0]?.attachments[0];
    expect(stored?.data.equals(data)).toBe(true);
    const res = await fetch(att?.url ?? '');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    const req = w.emu.requests.find((r) => r.method === 'POST');
    expect(req?.body).toMatchObject({ payload_json: { content: 'see file' }, files: [{ name: 'notes.txt', size: data.length }] });
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('a user attachment is delivered to the bot and downloadable', async () => {
    const incoming = nextMessage(w.client!, 'with file');
    w.emu.userSays({
      channelId: w.general.id,
      userId: w.alice.id,
      content: 'with file',
      attachments: [{ name: 'a.ogg', data: Buffer.from([1, 2, 3]), contentType: 'audio/ogg' }],
    });
    const att = (await incoming).attachments.first();
    expect(att?.contentType).toBe('audio/ogg');
    const res = await fetch(att?.url ?? '');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  test('429 from failNext: discord.js waits retry_after and succeeds', async () => {
    w.emu.failNext({ method: 'POST', route: '/channels/{channel_id}/messages', status: 429, retryAfter: 0.05 });
    await channel().send('after rate limit');
    const posts = w.emu.requests.filter((r) => r.method === 'POST' && r.route === '/channels/{channel_id}/messages');
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
    expect(posts[0]?.response).toMatchObject({ retry_after: 0.05, global: false });
    expect(w.emu.botMessages(w.general.id).map((m) => m.content)).toEqual(['after rate limit']);
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('5xx from failNext: discord.js retries', async () => {
    w.emu.failNext({ route: /\/messages$/, status: 502, times: 2 });
    await channel().send('after outage');
    const statuses = w.emu.requests.filter((r) => r.method === 'POST').map((r) => r.status);
    expect(statuses).toEqual([502, 502, 200]);
  });

  test('Discord limits: content over 2000 characters is rejected with 50035', async () => {
    const err = await channel()
      .send('x'.repeat(2001))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect((err as DiscordAPIError).code).toBe(50035);
    expect(w.emu.botMessages()).toHaveLength(0);
  });

  test('DM: user writes in a DM, the bot answers through the DM channel', async () => {
    const dm = w.emu.createDM(w.alice.id);
    const incoming = nextMessage(w.client!, 'psst');
    w.emu.userSays({ channelId: dm.id, userId: w.alice.id, content: 'psst' });
    const m = await incoming;
    expect(m.guildId).toBeNull();
    expect(m.channel.isDMBased()).toBe(true);
    if (!m.channel.isSendable()) throw new Error('DM channel not sendable');
    await m.channel.send('hi in DM');
    const viaApi = await (await w.client!.users.fetch(w.alice.id)).send('opened via API');
    expect(viaApi.channelId).toBe(dm.id);
    expect(w.emu.botMessages(dm.id).map((x) => x.content)).toEqual(['hi in DM', 'opened via API']);
  });

  test('fetches: messages, channel, guild, member, application', async () => {
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'old' });
    const fetched = await channel().messages.fetch({ limit: 10 });
    expect([...fetched.values()].map((m) => m.content)).toEqual(['old']);
    const guild = await w.client!.guilds.fetch({ guild: w.general.guildId ?? '', force: true });
    expect(guild.name).toBe('Test Guild');
    expect((await guild.members.fetch({ user: w.alice.id, force: true })).user.username).toBe('alice');
    expect((await w.client!.application.fetch()).id).toBe(w.emu.applicationId);
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('unknown route answers 404 with code 0; missing auth answers 401', async () => {
    const r1 = await fetch(`${w.emu.restBase}/v10/nope/here`, { headers: { authorization: `Bot ${w.emu.token}` } });
    expect(r1.status).toBe(404);
    expect(await r1.json()).toEqual({ message: '404: Not Found', code: 0 });
    const r2 = await fetch(`${w.emu.restBase}/v10/users/@me`);
    expect(r2.status).toBe(401);
    expect(w.emu.requests.at(-1)).toMatchObject({ path: '/users/@me', hasAuth: false, status: 401 });
    expect(w.emu.contractViolations).toEqual(['GET /nope/here: no such operation in the Discord API spec']);
    w.emu.contractViolations.length = 0; // expected above; the afterEach check wants a clean list
  });

  test('permissions: without SEND_MESSAGES the bot gets 50013; with it again the send works', async () => {
    w.emu.setPermissions(w.general.guildId ?? '', 1n << 10n); // @everyone: VIEW_CHANNEL only
    const botRole = w.client!.guilds.cache.get(w.general.guildId ?? '')?.members.me?.roles.cache.find((r) => r.managed);
    w.emu.setPermissions(botRole?.id ?? '', 0n);
    const err = await channel()
      .send('denied')
      .catch((e: unknown) => e);
    expect((err as DiscordAPIError).code).toBe(50013);
    w.emu.setPermissions(botRole?.id ?? '', (1n << 10n) | (1n << 11n));
    await channel().send('allowed');
    expect(w.emu.botMessages(w.general.id).map((m) => m.content)).toEqual(['allowed']);
  });

  test('delete: the message leaves messages() but stays in allMessages() as deleted', async () => {
    const sent = await channel().send('oops');
    await sent.delete();
    expect(w.emu.messages(w.general.id)).toEqual([]);
    expect(w.emu.allMessages(w.general.id)).toEqual([expect.objectContaining({ id: sent.id, deleted: true })]);
    expect(w.emu.gatewayEvents.some((e) => e.t === 'MESSAGE_DELETE')).toBe(true);
  });

  test('delayNext: the message is created and dispatched at once, its answer comes later', async () => {
    w.emu.delayNext({ method: 'POST', route: '/channels/{channel_id}/messages', ms: 2000 });
    let answered = false;
    const sending = channel()
      .send('late answer')
      .then((m) => ((answered = true), m));
    const created = await w.emu.waitForBotMessage(w.general.id, (m) => m.content === 'late answer');
    expect(answered).toBe(false);
    expect(w.emu.gatewayEvents.some((e) => e.t === 'MESSAGE_CREATE' && (e.d as { id?: string }).id === created.id)).toBe(true);
    expect((await sending).id).toBe(created.id);
    expect(w.emu.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([200]);
  });

  test('setLatency delays REST answers', async () => {
    w.emu.setLatency(120);
    const started = Date.now();
    await channel().send('slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});
