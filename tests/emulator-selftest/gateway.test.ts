import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GatewayIntentBits, type Client, type Message } from 'discord.js';
import { createDiscordContract, startDiscordEmulator, type DiscordEmulator, type EmuChannel, type EmuUser } from '../emulator/index.js';
import { loginClient } from '../emulator/discordjs.js';

const contract = createDiscordContract();
const ALL_TEXT = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.DirectMessages,
];

let emu: DiscordEmulator;
let client: Client<true> | undefined;
let alice: EmuUser;
let general: EmuChannel;
let received: Message[];

beforeEach(async () => {
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 300, contract });
  alice = emu.createUser({ username: 'alice', globalName: 'Alice' });
  const guild = emu.createGuild({ name: 'Test Guild' });
  emu.addMember(guild.id, alice.id, { nick: 'ali' });
  general = emu.createChannel({ guildId: guild.id, name: 'general' });
  received = [];
});

afterEach(async () => {
  const violations = [...emu.contractViolations];
  await client?.destroy();
  client = undefined;
  await emu.close();
  expect(violations, 'contract violations (REST and gateway)').toEqual([]);
});

async function login(intents = ALL_TEXT): Promise<Client<true>> {
  client = await loginClient(emu, { intents }, 5000);
  client.on('messageCreate', (m) => void received.push(m));
  return client;
}

describe('gateway', () => {
  test('login reaches clientReady with the guild, its channels, roles and the bot as member', async () => {
    const c = await login();
    const guild = c.guilds.cache.first();
    expect(guild?.available).toBe(true);
    expect(guild?.name).toBe('Test Guild');
    expect(guild?.channels.cache.get(general.id)?.name).toBe('general');
    expect(guild?.members.me?.id).toBe(emu.botUser.id);
    expect(guild?.roles.everyone.id).toBe(guild?.id);
    expect(c.user.id).toBe(emu.botUser.id);
    expect(emu.identifies).toBe(1);
    const outgoing = emu.gatewayEvents.filter((e) => e.dir === 'out' && e.op === 0).map((e) => e.t);
    expect(outgoing.slice(0, 2)).toEqual(['READY', 'GUILD_CREATE']);
    expect(emu.contractViolations).toEqual([]);
  });

  test('messageCreate carries content, author, member and the bot mention', async () => {
    await login();
    emu.userSays({ channelId: general.id, userId: alice.id, content: `hi <@${emu.botUser.id}> there` });
    const m = await emu.waitFor(() => received[0], { label: 'messageCreate' });
    expect(m.content).toBe(`hi <@${emu.botUser.id}> there`);
    expect(m.author.id).toBe(alice.id);
    expect(m.member?.nickname).toBe('ali');
    expect(m.mentions.users.has(emu.botUser.id)).toBe(true);
    expect(m.guildId).toBe(general.guildId);
  });

  test('a reply carries the reference and referenced message', async () => {
    await login();
    const first = emu.userSays({ channelId: general.id, userId: alice.id, content: 'first' });
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'second', replyTo: first.id });
    const reply = await emu.waitFor(() => received.find((m) => m.content === 'second'), { label: 'reply' });
    expect(reply.reference?.messageId).toBe(first.id);
    expect((await reply.fetchReference()).content).toBe('first');
  });

  test('without MESSAGE_CONTENT, guild content is empty unless the bot is mentioned', async () => {
    await login([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'secret' });
    emu.userSays({ channelId: general.id, userId: alice.id, content: `<@${emu.botUser.id}> visible` });
    await emu.waitFor(() => received.length === 2, { label: 'two messages' });
    expect(received.map((m) => m.content)).toEqual(['', `<@${emu.botUser.id}> visible`]);
  });

  test('dispatches needing an intent the bot lacks are withheld and reported', async () => {
    await login([GatewayIntentBits.Guilds]);
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'nobody hears this' });
    const wait = emu.waitFor(() => received[0], { timeoutMs: 200, label: 'a message' });
    await expect(wait).rejects.toThrow(/MESSAGE_CREATE \(needs GuildMessages\)/);
  });

  test('guilds and channels created after READY arrive as GUILD_CREATE / CHANNEL_CREATE', async () => {
    const c = await login();
    const g2 = emu.createGuild({ name: 'Later' });
    const ch = emu.createChannel({ guildId: general.guildId ?? '', name: 'late-channel' });
    await emu.waitFor(() => c.guilds.cache.get(g2.id), { label: 'guild in cache' });
    const cached = await emu.waitFor(() => c.channels.cache.get(ch.id), { label: 'channel in cache' });
    expect('name' in cached ? cached.name : undefined).toBe('late-channel');
  });

  test('dropGateway: the client resumes and a message sent meanwhile arrives exactly once', async () => {
    await login();
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'before' });
    await emu.waitFor(() => received.length === 1, { label: 'first message' });
    emu.dropGateway();
    expect(emu.connected()).toBe(false);
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'while down' });
    await emu.waitFor(() => emu.resumes === 1 && emu.connected(), { label: 'resume' });
    await emu.waitFor(() => received.some((m) => m.content === 'while down'), { label: 'replayed message' });
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'after' });
    await emu.waitFor(() => received.some((m) => m.content === 'after'), { label: 'message after resume' });
    expect(received.map((m) => m.content)).toEqual(['before', 'while down', 'after']);
    expect(emu.identifies).toBe(1);
    const resume = emu.gatewayEvents.find((e) => e.dir === 'in' && e.op === 6);
    expect(resume?.d).toMatchObject({ seq: expect.any(Number), session_id: expect.any(String) });
  });

  test('op 7 reconnect and resumable op 9 both lead to a resume, not a new session', async () => {
    await login();
    emu.sendReconnect();
    await emu.waitFor(() => emu.resumes === 1 && emu.connected(), { label: 'resume after op 7' });
    emu.invalidateSession(true);
    await emu.waitFor(() => emu.resumes === 2, { label: 'resume after op 9 (true)' });
    emu.userSays({ channelId: general.id, userId: alice.id, content: 'still here' });
    await emu.waitFor(() => received[0], { label: 'message after resumes' });
    expect(emu.identifies).toBe(1);
  });

  test('presence updates (op 3) are recorded', async () => {
    const c = await login();
    c.user.setPresence({ status: 'idle', activities: [{ name: 'testing' }] });
    const p = await emu.waitFor(() => emu.presences[0], { label: 'presence' });
    expect(p).toMatchObject({ status: 'idle', activities: [expect.objectContaining({ name: 'testing' })] });
  });

  test('op 4 (voice state update) is recorded and answered with VOICE_STATE_UPDATE for the bot', async () => {
    const c = await login([...ALL_TEXT, GatewayIntentBits.GuildVoiceStates]);
    const voice = emu.createChannel({ guildId: general.guildId ?? '', name: 'voice', type: 2 });
    await emu.waitFor(() => c.channels.cache.get(voice.id), { label: 'voice channel cached' });
    const guild = c.guilds.cache.get(general.guildId ?? '');
    guild?.shard.send({ op: 4, d: { guild_id: guild.id, channel_id: voice.id, self_mute: false, self_deaf: true } });
    await emu.waitFor(() => guild?.members.me?.voice.channelId === voice.id, { label: 'bot voice state in discord.js' });
    expect(emu.voiceStateUpdates).toEqual([{ guild_id: guild?.id, channel_id: voice.id, self_mute: false, self_deaf: true }]);
    expect(guild?.members.me?.voice.selfDeaf).toBe(true);
  });
});
