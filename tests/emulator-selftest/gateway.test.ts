import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GatewayIntentBits, type Client, type Message } from 'discord.js';
import { createDiscordContract } from '../emulator/index.js';
import { startTextWorld, type TextWorld } from './text-setup.js';

const contract = createDiscordContract();
const ALL_TEXT = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.DirectMessages,
];

let w: TextWorld;
let received: Message[];

beforeEach(async () => {
  w = await startTextWorld({ contract, alice: { globalName: 'Alice', nick: 'ali' } });
  received = [];
});
afterEach(() => w.close());

async function login(intents = ALL_TEXT): Promise<Client<true>> {
  const client = await w.login({ intents });
  client.on('messageCreate', (m) => void received.push(m));
  return client;
}

describe('gateway', () => {
  test('login reaches clientReady with the guild, its channels, roles and the bot as member', async () => {
    const c = await login();
    const guild = c.guilds.cache.first();
    expect(guild?.available).toBe(true);
    expect(guild?.name).toBe('Test Guild');
    expect(guild?.channels.cache.get(w.general.id)?.name).toBe('general');
    expect(guild?.members.me?.id).toBe(w.emu.botUser.id);
    expect(guild?.roles.everyone.id).toBe(guild?.id);
    expect(c.user.id).toBe(w.emu.botUser.id);
    expect(w.emu.identifies).toBe(1);
    const outgoing = w.emu.gatewayEvents.filter((e) => e.dir === 'out' && e.op === 0).map((e) => e.t);
    expect(outgoing.slice(0, 2)).toEqual(['READY', 'GUILD_CREATE']);
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('messageCreate carries content, author, member and the bot mention', async () => {
    await login();
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: `hi <@${w.emu.botUser.id}> there` });
    const m = await w.emu.waitFor(() => received[0], { label: 'messageCreate' });
    expect(m.content).toBe(`hi <@${w.emu.botUser.id}> there`);
    expect(m.author.id).toBe(w.alice.id);
    expect(m.member?.nickname).toBe('ali');
    expect(m.mentions.users.has(w.emu.botUser.id)).toBe(true);
    expect(m.guildId).toBe(w.general.guildId);
  });

  test('a reply carries the reference and referenced message', async () => {
    await login();
    const first = w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'first' });
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'second', replyTo: first.id });
    const reply = await w.emu.waitFor(() => received.find((m) => m.content === 'second'), { label: 'reply' });
    expect(reply.reference?.messageId).toBe(first.id);
    expect((await reply.fetchReference()).content).toBe('first');
  });

  test('without MESSAGE_CONTENT, guild content is empty unless the bot is mentioned', async () => {
    await login([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'secret' });
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: `<@${w.emu.botUser.id}> visible` });
    await w.emu.waitFor(() => received.length === 2, { label: 'two messages' });
    expect(received.map((m) => m.content)).toEqual(['', `<@${w.emu.botUser.id}> visible`]);
  });

  test('dispatches needing an intent the bot lacks are withheld and reported', async () => {
    await login([GatewayIntentBits.Guilds]);
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'nobody hears this' });
    const wait = w.emu.waitFor(() => received[0], { timeoutMs: 200, label: 'a message' });
    await expect(wait).rejects.toThrow(/MESSAGE_CREATE \(needs GuildMessages\)/);
  });

  test('guilds and channels created after READY arrive as GUILD_CREATE / CHANNEL_CREATE', async () => {
    const c = await login();
    const g2 = w.emu.createGuild({ name: 'Later' });
    const ch = w.emu.createChannel({ guildId: w.general.guildId ?? '', name: 'late-channel' });
    await w.emu.waitFor(() => c.guilds.cache.get(g2.id), { label: 'guild in cache' });
    const cached = await w.emu.waitFor(() => c.channels.cache.get(ch.id), { label: 'channel in cache' });
    expect('name' in cached ? cached.name : undefined).toBe('late-channel');
  });

  test('dropGateway: the client resumes and a message sent meanwhile arrives exactly once', async () => {
    await login();
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'before' });
    await w.emu.waitFor(() => received.length === 1, { label: 'first message' });
    w.emu.dropGateway();
    expect(w.emu.connected()).toBe(false);
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'while down' });
    await w.emu.waitFor(() => w.emu.resumes === 1 && w.emu.connected(), { label: 'resume' });
    await w.emu.waitFor(() => received.some((m) => m.content === 'while down'), { label: 'replayed message' });
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'after' });
    await w.emu.waitFor(() => received.some((m) => m.content === 'after'), { label: 'message after resume' });
    expect(received.map((m) => m.content)).toEqual(['before', 'while down', 'after']);
    expect(w.emu.identifies).toBe(1);
    const resume = w.emu.gatewayEvents.find((e) => e.dir === 'in' && e.op === 6);
    expect(resume?.d).toMatchObject({ seq: expect.any(Number), session_id: expect.any(String) });
  });

  test('op 7 reconnect and resumable op 9 both lead to a resume, not a new session', async () => {
    await login();
    w.emu.sendReconnect();
    await w.emu.waitFor(() => w.emu.resumes === 1 && w.emu.connected(), { label: 'resume after op 7' });
    w.emu.invalidateSession(true);
    await w.emu.waitFor(() => w.emu.resumes === 2, { label: 'resume after op 9 (true)' });
    w.emu.userSays({ channelId: w.general.id, userId: w.alice.id, content: 'still here' });
    await w.emu.waitFor(() => received[0], { label: 'message after resumes' });
    expect(w.emu.identifies).toBe(1);
  });

  test('presence updates (op 3) are recorded', async () => {
    const c = await login();
    c.user.setPresence({ status: 'idle', activities: [{ name: 'testing' }] });
    const p = await w.emu.waitFor(() => w.emu.presences[0], { label: 'presence' });
    expect(p).toMatchObject({ status: 'idle', activities: [expect.objectContaining({ name: 'testing' })] });
  });

  test('op 4 (voice state update) is recorded and answered with VOICE_STATE_UPDATE for the bot', async () => {
    const c = await login([...ALL_TEXT, GatewayIntentBits.GuildVoiceStates]);
    const voice = w.emu.createChannel({ guildId: w.general.guildId ?? '', name: 'voice', type: 2 });
    await w.emu.waitFor(() => c.channels.cache.get(voice.id), { label: 'voice channel cached' });
    const guild = c.guilds.cache.get(w.general.guildId ?? '');
    guild?.shard.send({ op: 4, d: { guild_id: guild.id, channel_id: voice.id, self_mute: false, self_deaf: true } });
    await w.emu.waitFor(() => guild?.members.me?.voice.channelId === voice.id, { label: 'bot voice state in discord.js' });
    expect(w.emu.voiceStateUpdates).toEqual([{ guild_id: guild?.id, channel_id: voice.id, self_mute: false, self_deaf: true }]);
    expect(guild?.members.me?.voice.selfDeaf).toBe(true);
  });
});
