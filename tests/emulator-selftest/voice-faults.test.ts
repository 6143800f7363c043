import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GatewayIntentBits } from 'discord.js';
import { EndBehaviorType, entersState, VoiceConnectionDisconnectReason, VoiceConnectionStatus } from '@discordjs/voice';
import { decodeOpusFrames, pcmVoicedMs, tonePcm } from '../emulator/index.js';
import { loginClient } from '../emulator/discordjs.js';
import { joinVoice } from '../emulator/voice/discordjs-voice.js';
import { startVoiceWorld, type VoiceWorld } from './voice-setup.js';

let w: VoiceWorld<'alice'>;
beforeEach(async () => {
  w = await startVoiceWorld(['alice']);
});
afterEach(() => w.close());

const outOps = (op: number) => w.emu.voice.events.filter((e) => e.dir === 'out' && e.op === op);

describe('voice faults and membership', () => {
  test('dropVoice: the client resumes (op 7 -> op 9), missed events are replayed, audio still flows', async () => {
    const conn = await w.join();
    w.emu.voice.dropVoice(w.guild.id);
    w.emu.voice.userJoinsVoice({ guildId: w.guild.id, channelId: w.voice.id, userId: w.alice.id }); // op 11 while disconnected
    await w.emu.waitFor(() => w.emu.voice.resumes === 1, { label: 'voice RESUME' });
    await entersState(conn, VoiceConnectionStatus.Ready, 5000);
    const resume = w.emu.voice.events.find((e) => e.dir === 'in' && e.op === 7)?.d;
    expect(resume).toMatchObject({ server_id: w.guild.id, token: expect.any(String), session_id: expect.any(String) });
    const resumedAt = w.emu.voice.events.findIndex((e) => e.dir === 'out' && e.op === 9);
    const replayedAt = w.emu.voice.events.findIndex((e) => e.dir === 'out' && e.op === 11);
    expect(replayedAt).toBeGreaterThan(resumedAt);
    expect(resumedAt).toBeGreaterThan(0);
    expect(w.emu.voice.identifies).toBe(1);
    await w.emu.voice.waitForDave(w.guild.id);
    const stream = conn.receiver.subscribe(w.alice.id, { end: { behavior: EndBehaviorType.AfterSilence, duration: 200 } });
    const packets: Buffer[] = [];
    stream.on('data', (p: Buffer) => packets.push(p));
    const ended = new Promise((resolve) => stream.once('end', resolve));
    await w.emu.voice.speak({ guildId: w.guild.id, userId: w.alice.id, pcm: tonePcm({ hz: 300, ms: 300 }), pace: 'fast' });
    await ended;
    expect(pcmVoicedMs(decodeOpusFrames(packets))).toBeGreaterThanOrEqual(260);
  });

  test('leave: connection.destroy() sends op 4 with channel_id null and ends the voice session', async () => {
    const conn = await w.join();
    conn.destroy();
    await w.emu.waitFor(() => w.emu.voice.connection(w.guild.id) === null, { label: 'voice session ended' });
    expect(w.emu.voiceStateUpdates.at(-1)).toMatchObject({ guild_id: w.guild.id, channel_id: null });
  });

  test('disconnectBot: VOICE_STATE_UPDATE channel null + close 4014 -> Disconnected (WebSocketClose 4014)', async () => {
    const conn = await w.join();
    const me = w.client.guilds.cache.get(w.guild.id)?.members.me;
    w.emu.voice.disconnectBot(w.guild.id);
    await entersState(conn, VoiceConnectionStatus.Disconnected, 5000);
    expect(conn.state).toMatchObject({ reason: VoiceConnectionDisconnectReason.WebSocketClose, closeCode: 4014 });
    await w.emu.waitFor(() => me?.voice.channelId === null, { label: 'bot voice state cleared in discord.js' });
    expect(w.emu.voice.connection(w.guild.id)).toBeNull();
  });

  test('users joining and leaving: member.voice in discord.js, op 11 / op 13 on the voice gateway', async () => {
    const conn = await w.join();
    w.emu.voice.userJoinsVoice({ guildId: w.guild.id, channelId: w.voice.id, userId: w.alice.id });
    const member = () => w.client.guilds.cache.get(w.guild.id)?.voiceStates.cache.get(w.alice.id);
    await w.emu.waitFor(() => member()?.channelId === w.voice.id, { label: 'alice in voice (discord.js)' });
    const channel = w.client.guilds.cache.get(w.guild.id)?.channels.cache.get(w.voice.id);
    expect(channel?.isVoiceBased() ? [...channel.members.keys()].sort() : null).toEqual([w.alice.id, w.emu.botUser.id].sort());
    expect(outOps(11).at(-1)?.d).toEqual({ user_ids: [w.alice.id] });
    await w.emu.voice.speak({ guildId: w.guild.id, userId: w.alice.id, pcm: tonePcm({ hz: 440, ms: 40 }), pace: 'fast' });
    await w.emu.waitFor(() => conn.receiver.ssrcMap.get(w.alice.id), { label: 'ssrc mapped' });
    w.emu.voice.userLeavesVoice({ guildId: w.guild.id, userId: w.alice.id });
    await w.emu.waitFor(() => member()?.channelId === null, { label: 'alice left voice (discord.js)' });
    expect(outOps(13).at(-1)?.d).toEqual({ user_id: w.alice.id });
    await w.emu.waitFor(() => conn.receiver.ssrcMap.get(w.alice.id) === undefined, { label: 'ssrc forgotten' });
    await expect(w.emu.voice.speak({ guildId: w.guild.id, userId: w.alice.id, pcm: tonePcm({ hz: 440, ms: 40 }) })).rejects.toThrow(
      /not in the bot's voice channel/,
    );
  });

  test('a user already in the channel is announced with op 11 when the bot connects; moving re-identifies', async () => {
    w.emu.voice.userJoinsVoice({ guildId: w.guild.id, channelId: w.voice.id, userId: w.alice.id });
    await w.join();
    expect(outOps(11)[0]?.d).toEqual({ user_ids: [w.alice.id] });
    const other = w.emu.createChannel({ guildId: w.guild.id, name: 'Other', type: 2 });
    await w.emu.waitFor(() => w.client.channels.cache.get(other.id), { label: 'channel cached' });
    const conn = await w.join(other.id);
    await w.emu.waitFor(() => w.emu.voice.identifies === 2 && w.emu.voice.connection(w.guild.id)?.ready, { label: 'moved' });
    expect(w.emu.voice.connection(w.guild.id)?.channelId).toBe(other.id);
    await entersState(conn, VoiceConnectionStatus.Ready, 5000);
    expect(w.client.guilds.cache.get(w.guild.id)?.members.me?.voice.channelId).toBe(other.id);
  });

  test('selfDeaf/selfMute reach the emulator; without GuildVoiceStates the join never completes', async () => {
    const connection = await joinVoice(w.client, { guildId: w.guild.id, channelId: w.voice.id, selfDeaf: true, selfMute: true });
    w.connection = connection;
    expect(w.emu.voice.connection(w.guild.id)).toMatchObject({ selfDeaf: true, selfMute: true });
    connection.destroy();
    await w.client.destroy();
    w.client = await loginClient(w.emu, { intents: [GatewayIntentBits.Guilds] }, 5000);
    await expect(joinVoice(w.client, { guildId: w.guild.id, channelId: w.voice.id, timeoutMs: 500 })).rejects.toThrow();
    expect(w.emu.withheldDispatches.some((d) => d.t === 'VOICE_STATE_UPDATE')).toBe(true);
  });
});
