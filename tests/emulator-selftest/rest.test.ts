import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AttachmentBuilder, DiscordAPIError, GatewayIntentBits, Partials, type Client, type Message, type TextChannel } from 'discord.js';
import { createDiscordContract, startDiscordEmulator, type DiscordEmulator, type EmuChannel, type EmuUser } from '../emulator/index.js';
import { loginClient } from '../emulator/discordjs.js';

const contract = createDiscordContract();

let emu: DiscordEmulator;
let client: Client<true> | undefined;
let alice: EmuUser;
let general: EmuChannel;

beforeEach(async () => {
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 300, contract });
  alice = emu.createUser({ username: 'alice' });
  const guild = emu.createGuild({ name: 'Test Guild' });
  emu.addMember(guild.id, alice.id);
  general = emu.createChannel({ guildId: guild.id, name: 'general' });
  client = await loginClient(
    emu,
    {
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages],
      partials: [Partials.Channel],
    },
    5000,
  );
});

afterEach(async () => {
  const violations = [...emu.contractViolations];
  await client?.destroy();
  client = undefined;
  await emu.close();
  expect(violations, 'contract violations (REST and gateway)').toEqual([]);
});

function channel(): TextChannel {
  return client?.channels.cache.get(general.id) as TextChannel;
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
    const c = client!;
    const incoming = nextMessage(c, 'question');
    const userMsg = emu.userSays({ channelId: general.id, userId: alice.id, content: 'question' });
    const m = await incoming;
    const echoed = nextMessage(c, 'answer');
    const reply = await m.reply('answer');
    expect((await echoed).author.id).toBe(emu.botUser.id);
    await reply.edit('better answer');
    await reply.react('👍');
    await channel().sendTyping();
    await channel().send('plain');

    const [first, second, third] = emu.messages(general.id);
    expect(first?.id).toBe(userMsg.id);
    expect(second).toMatchObject({ content: 'better answer', edits: ['answer'], replyTo: userMsg.id, type: 19, fromBot: true });
    expect(third?.content).toBe('plain');
    expect(emu.botMessages(general.id)).toHaveLength(2);
    expect(emu.reactions).toEqual([{ channelId: general.id, messageId: reply.id, emoji: '👍', userId: emu.botUser.id }]);
    expect(emu.typing.map((t) => t.channelId)).toEqual([general.id]);
    const post = emu.requests.find((r) => r.method === 'POST' && r.route === '/channels/{channel_id}/messages');
    expect(post).toMatchObject({ hasAuth: true, status: 200, body: { content: 'answer' } });
    expect(post?.headers.authorization).toBeUndefined();
    expect(emu.contractViolations).toEqual([]);
  });

  test('multipart upload: attachment stored with metadata and downloadable from its URL', async () => {
    const data = Buffer.from('hello file contents');
    const sent = await channel().send({ content: 'see file', files: [new AttachmentBuilder(data, { name: 'notes.txt' })] });
    const att = sent.attachments.first();
    expect(att?.name).toBe('notes.txt');
    expect(att?.size).toBe(data.length);
    const stored = emu.messages(general.id)[0]?.attachments[0];
    expect(stored?.data.equals(data)).toBe(true);
    const res = await fetch(att?.url ?? '');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    const req = emu.requests.find((r) => r.method === 'POST');
    expect(req?.body).toMatchObject({ payload_json: { content: 'see file' }, files: [{ name: 'notes.txt', size: data.length }] });
    expect(emu.contractViolations).toEqual([]);
  });

  test('a user attachment is delivered to the bot and downloadable', async () => {
    const incoming = nextMessage(client!, 'with file');
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'with file', attachments: [{ name: 'a.ogg', data: Buffer.from([1, 2, 3]), contentType: 'audio/ogg' }] });
    const att = (await incoming).attachments.first();
    expect(att?.contentType).toBe('audio/ogg');
    const res = await fetch(att?.url ?? '');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  test('429 from failNext: discord.js waits retry_after and succeeds', async () => {
    emu.failNext({ method: 'POST', route: '/channels/{channel_id}/messages', status: 429, retryAfter: 0.05 });
    await channel().send('after rate limit');
    const posts = emu.requests.filter((r) => r.method === 'POST' && r.route === '/channels/{channel_id}/messages');
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
    expect(posts[0]?.response).toMatchObject({ retry_after: 0.05, global: false });
    expect(emu.botMessages(general.id).map((m) => m.content)).toEqual(['after rate limit']);
    expect(emu.contractViolations).toEqual([]);
  });

  test('5xx from failNext: discord.js retries', async () => {
    emu.failNext({ route: /\/messages$/, status: 502, times: 2 });
    await channel().send('after outage');
    const statuses = emu.requests.filter((r) => r.method === 'POST').map((r) => r.status);
    expect(statuses).toEqual([502, 502, 200]);
  });

  test('Discord limits: content over 2000 characters is rejected with 50035', async () => {
    const err = await channel().send('x'.repeat(2001)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect((err as DiscordAPIError).code).toBe(50035);
    expect(emu.botMessages()).toHaveLength(0);
  });

  test('DM: user writes in a DM, the bot answers through the DM channel', async () => {
    const dm = emu.createDM(alice.id);
    const incoming = nextMessage(client!, 'psst');
    emu.userSays({ channelId: dm.id, userId: alice.id, content: 'psst' });
    const m = await incoming;
    expect(m.guildId).toBeNull();
    expect(m.channel.isDMBased()).toBe(true);
    if (!m.channel.isSendable()) throw new Error('DM channel not sendable');
    await m.channel.send('hi in DM');
    const viaApi = await (await client!.users.fetch(alice.id)).send('opened via API');
    expect(viaApi.channelId).toBe(dm.id);
    expect(emu.botMessages(dm.id).map((x) => x.content)).toEqual(['hi in DM', 'opened via API']);
  });

  test('fetches: messages, channel, guild, member, application', async () => {
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'old' });
    const fetched = await channel().messages.fetch({ limit: 10 });
    expect([...fetched.values()].map((m) => m.content)).toEqual(['old']);
    const guild = await client!.guilds.fetch({ guild: general.guildId ?? '', force: true });
    expect(guild.name).toBe('Test Guild');
    expect((await guild.members.fetch({ user: alice.id, force: true })).user.username).toBe('alice');
    expect((await client!.application.fetch()).id).toBe(emu.applicationId);
    expect(emu.contractViolations).toEqual([]);
  });

  test('unknown route answers 404 with code 0; missing auth answers 401', async () => {
    const r1 = await fetch(`${emu.restBase}/v10/nope/here`, { headers: { authorization: `Bot ${emu.token}` } });
    expect(r1.status).toBe(404);
    expect(await r1.json()).toEqual({ message: '404: Not Found', code: 0 });
    const r2 = await fetch(`${emu.restBase}/v10/users/@me`);
    expect(r2.status).toBe(401);
    expect(emu.requests.at(-1)).toMatchObject({ path: '/users/@me', hasAuth: false, status: 401 });
    expect(emu.contractViolations).toEqual(['GET /nope/here: no such operation in the Discord API spec']);
    emu.contractViolations.length = 0; // expected above; the afterEach check wants a clean list
  });

  test('permissions: without SEND_MESSAGES the bot gets 50013; with it again the send works', async () => {
    emu.setPermissions(general.guildId ?? '', 1n << 10n); // @everyone: VIEW_CHANNEL only
    const botRole = client!.guilds.cache.get(general.guildId ?? '')?.members.me?.roles.cache.find((r) => r.managed);
    emu.setPermissions(botRole?.id ?? '', 0n);
    const err = await channel().send('denied').catch((e: unknown) => e);
    expect((err as DiscordAPIError).code).toBe(50013);
    emu.setPermissions(botRole?.id ?? '', (1n << 10n) | (1n << 11n));
    await channel().send('allowed');
    expect(emu.botMessages(general.id).map((m) => m.content)).toEqual(['allowed']);
  });

  test('delete: the message leaves messages() but stays in allMessages() as deleted', async () => {
    const sent = await channel().send('oops');
    await sent.delete();
    expect(emu.messages(general.id)).toEqual([]);
    expect(emu.allMessages(general.id)).toEqual([expect.objectContaining({ id: sent.id, deleted: true })]);
    expect(emu.gatewayEvents.some((e) => e.t === 'MESSAGE_DELETE')).toBe(true);
  });

  test('setLatency delays REST answers', async () => {
    emu.setLatency(120);
    const started = Date.now();
    await channel().send('slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});
