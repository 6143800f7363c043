import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GatewayIntentBits, type Client } from 'discord.js';
import {
  EndBehaviorType,
  entersState,
  VoiceConnectionDisconnectReason,
  VoiceConnectionStatus,
  type VoiceConnection,
} from '@discordjs/voice';
import {
  decodeOpusFrames,
  pcmVoicedMs,
  startDiscordEmulator,
  tonePcm,
  type DiscordEmulator,
  type EmuChannel,
  type EmuGuild,
  type EmuUser,
} from '../emulator/index.js';
import { loginClient } from '../emulator/discordjs.js';
import { joinVoice } from '../emulator/voice/discordjs-voice.js';

let emu: DiscordEmulator;
let client: Client<true>;
let guild: EmuGuild;
let voice: EmuChannel;
let alice: EmuUser;
let connection: VoiceConnection | undefined;

beforeEach(async () => {
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, contractCheck: false });
  alice = emu.createUser({ username: 'alice' });
  guild = emu.createGuild({ name: 'Voice Guild' });
  emu.addMember(guild.id, alice.id);
  voice = emu.createChannel({ guildId: guild.id, name: 'Lounge', type: 2 });
  client = await loginClient(emu, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] }, 5000);
});

afterEach(async () => {
  const violations = [...emu.voice.violations];
  if (connection && connection.state.status !== 'destroyed') connection.destroy();
  connection = undefined;
  await client.destroy();
  await emu.close();
  expect(violations, 'voice protocol violations').toEqual([]);
});

async function join(channelId = voice.id): Promise<VoiceConnection> {
  connection = await joinVoice(client, { guildId: guild.id, channelId });
  await emu.voice.waitForConnection(guild.id);
  return connection;
}

const outOps = (op: number) => emu.voice.events.filter((e) => e.dir === 'out' && e.op === op);

describe('voice faults and membership', () => {
  test('dropVoice: the client resumes (op 7 -> op 9), missed events are replayed, audio still flows', async () => {
    const conn = await join();
    emu.voice.dropVoice(guild.id);
    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: voice.id, userId: alice.id }); // op 11 while disconnected
    await emu.waitFor(() => emu.voice.resumes === 1, { label: 'voice RESUME' });
    await entersState(conn, VoiceConnectionStatus.Ready, 5000);
    const resume = emu.voice.events.find((e) => e.dir === 'in' && e.op === 7)?.d;
    expect(resume).toMatchObject({ server_id: guild.id, token: expect.any(String), session_id: expect.any(String) });
    const resumedAt = emu.voice.events.findIndex((e) => e.dir === 'out' && e.op === 9);
    const replayedAt = emu.voice.events.findIndex((e) => e.dir === 'out' && e.op === 11);
    expect(replayedAt).toBeGreaterThan(resumedAt);
    expect(resumedAt).toBeGreaterThan(0);
    expect(emu.voice.identifies).toBe(1);
    const stream = conn.receiver.subscribe(alice.id, { end: { behavior: EndBehaviorType.AfterSilence, duration: 200 } });
    const packets: Buffer[] = [];
    stream.on('data', (p: Buffer) => packets.push(p));
    const ended = new Promise((resolve) => stream.once('end', resolve));
    await emu.voice.speak({ guildId: guild.id, userId: alice.id, pcm: tonePcm({ hz: 300, ms: 300 }), pace: 'fast' });
    await ended;
    expect(pcmVoicedMs(decodeOpusFrames(packets))).toBeGreaterThanOrEqual(260);
  });

  test('leave: connection.destroy() sends op 4 with channel_id null and ends the voice session', async () => {
    const conn = await join();
    conn.destroy();
    await emu.waitFor(() => emu.voice.connection(guild.id) === null, { label: 'voice session ended' });
    expect(emu.voiceStateUpdates.at(-1)).toMatchObject({ guild_id: guild.id, channel_id: null });
  });

  test('disconnectBot: VOICE_STATE_UPDATE channel null + close 4014 -> Disconnected (WebSocketClose 4014)', async () => {
    const conn = await join();
    const me = client.guilds.cache.get(guild.id)?.members.me;
    emu.voice.disconnectBot(guild.id);
    await entersState(conn, VoiceConnectionStatus.Disconnected, 5000);
    expect(conn.state).toMatchObject({ reason: VoiceConnectionDisconnectReason.WebSocketClose, closeCode: 4014 });
    await emu.waitFor(() => me?.voice.channelId === null, { label: 'bot voice state cleared in discord.js' });
    expect(emu.voice.connection(guild.id)).toBeNull();
  });

  test('users joining and leaving: member.voice in discord.js, op 11 / op 13 on the voice gateway', async () => {
    const conn = await join();
    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: voice.id, userId: alice.id });
    const member = () => client.guilds.cache.get(guild.id)?.voiceStates.cache.get(alice.id);
    await emu.waitFor(() => member()?.channelId === voice.id, { label: 'alice in voice (discord.js)' });
    const channel = client.guilds.cache.get(guild.id)?.channels.cache.get(voice.id);
    expect(channel?.isVoiceBased() ? [...channel.members.keys()].sort() : null).toEqual([alice.id, emu.botUser.id].sort());
    expect(outOps(11).at(-1)?.d).toEqual({ user_ids: [alice.id] });
    await emu.voice.speak({ guildId: guild.id, userId: alice.id, pcm: tonePcm({ hz: 440, ms: 40 }), pace: 'fast' });
    await emu.waitFor(() => conn.receiver.ssrcMap.get(alice.id), { label: 'ssrc mapped' });
    emu.voice.userLeavesVoice({ guildId: guild.id, userId: alice.id });
    await emu.waitFor(() => member()?.channelId === null, { label: 'alice left voice (discord.js)' });
    expect(outOps(13).at(-1)?.d).toEqual({ user_id: alice.id });
    await emu.waitFor(() => conn.receiver.ssrcMap.get(alice.id) === undefined, { label: 'ssrc forgotten' });
    await expect(
      emu.voice.speak({ guildId: guild.id, userId: alice.id, pcm: tonePcm({ hz: 440, ms: 40 }) }),
    ).rejects.toThrow(/not in the bot's voice channel/);
  });

  test('a user already in the channel is announced with op 11 when the bot connects; moving re-identifies', async () => {
    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: voice.id, userId: alice.id });
    await join();
    expect(outOps(11)[0]?.d).toEqual({ user_ids: [alice.id] });
    const other = emu.createChannel({ guildId: guild.id, name: 'Other', type: 2 });
    await emu.waitFor(() => client.channels.cache.get(other.id), { label: 'channel cached' });
    const conn = await join(other.id);
    await emu.waitFor(() => emu.voice.identifies === 2 && emu.voice.connection(guild.id)?.ready, { label: 'moved' });
    expect(emu.voice.connection(guild.id)?.channelId).toBe(other.id);
    await entersState(conn, VoiceConnectionStatus.Ready, 5000);
    expect(client.guilds.cache.get(guild.id)?.members.me?.voice.channelId).toBe(other.id);
  });

  test('selfDeaf/selfMute reach the emulator; without GuildVoiceStates the join never completes', async () => {
    connection = await joinVoice(client, { guildId: guild.id, channelId: voice.id, selfDeaf: true, selfMute: true });
    expect(emu.voice.connection(guild.id)).toMatchObject({ selfDeaf: true, selfMute: true });
    connection.destroy();
    await client.destroy();
    client = await loginClient(emu, { intents: [GatewayIntentBits.Guilds] }, 5000);
    await expect(joinVoice(client, { guildId: guild.id, channelId: voice.id, timeoutMs: 500 })).rejects.toThrow();
    expect(emu.withheldDispatches.some((w) => w.t === 'VOICE_STATE_UPDATE')).toBe(true);
  });
});
