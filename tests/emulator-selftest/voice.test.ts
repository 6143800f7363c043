import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GatewayIntentBits, type Client } from 'discord.js';
import {
  AudioPlayerStatus,
  createAudioPlayer,
  createAudioResource,
  EndBehaviorType,
  entersState,
  StreamType,
  type VoiceConnection,
} from '@discordjs/voice';
import {
  decodeOpusFrames,
  pcmDurationMs,
  pcmRms,
  pcmVoicedMs,
  pcmZeroCrossingHz,
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
let bob: EmuUser;
let connection: VoiceConnection | undefined;

beforeEach(async () => {
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, contractCheck: false });
  alice = emu.createUser({ username: 'alice' });
  bob = emu.createUser({ username: 'bob' });
  guild = emu.createGuild({ name: 'Voice Guild' });
  emu.addMember(guild.id, alice.id);
  emu.addMember(guild.id, bob.id);
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

async function join(): Promise<VoiceConnection> {
  connection = await joinVoice(client, { guildId: guild.id, channelId: voice.id });
  await emu.voice.waitForConnection(guild.id);
  return connection;
}

/** Collects one user's receive stream (AfterSilence 300 ms) until it ends. */
function collect(conn: VoiceConnection, userId: string): Promise<Buffer[]> {
  const stream = conn.receiver.subscribe(userId, { end: { behavior: EndBehaviorType.AfterSilence, duration: 300 } });
  const packets: Buffer[] = [];
  stream.on('data', (p: Buffer) => packets.push(p));
  return new Promise((resolve, reject) => {
    stream.once('end', () => resolve(packets));
    stream.once('error', reject);
  });
}

describe('voice', () => {
  test('the bot joins: Ready, session described with AES-GCM, voice gateway v8 handshake in order', async () => {
    const conn = await join();
    expect(conn.state.status).toBe('ready');
    const info = emu.voice.connection(guild.id);
    expect(info).toMatchObject({ guildId: guild.id, channelId: voice.id, ready: true, mode: 'aead_aes256_gcm_rtpsize' });
    expect(info).toMatchObject({ selfDeaf: false, selfMute: false });
    expect(info?.udpPeer?.address).toBe('127.0.0.1');
    expect(info?.ssrc).toBeGreaterThan(0);
    expect(client.guilds.cache.get(guild.id)?.members.me?.voice.channelId).toBe(voice.id);
    const flow = emu.voice.events.filter((e) => e.op !== 3 && e.op !== 6).map((e) => `${e.dir} ${e.op}`);
    expect(flow.slice(0, 5)).toEqual(['out 8', 'in 0', 'out 2', 'in 1', 'out 4']);
    const identify = emu.voice.events.find((e) => e.dir === 'in' && e.op === 0)?.d;
    expect(identify).toMatchObject({ server_id: guild.id, user_id: emu.botUser.id });
    const serverUpdate = emu.gatewayEvents.find((e) => e.t === 'VOICE_SERVER_UPDATE')?.d;
    expect(serverUpdate).toMatchObject({ guild_id: guild.id, endpoint: emu.voice.endpoint });
    expect(emu.voice.identifies).toBe(1);
  });

  test('receive: a user speaks a 1 s tone; the receiver maps the SSRC and yields ~1 s of decodable audio', async () => {
    const conn = await join();
    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: voice.id, userId: alice.id });
    const packets = collect(conn, alice.id);
    await emu.voice.speak({ guildId: guild.id, userId: alice.id, pcm: tonePcm({ hz: 440, ms: 1000 }), pace: 'fast' });
    const pcm = decodeOpusFrames(await packets);
    expect(pcmDurationMs(pcm)).toBeGreaterThanOrEqual(1000);
    expect(pcmDurationMs(pcm)).toBeLessThanOrEqual(1100);
    expect(pcmVoicedMs(pcm)).toBeGreaterThanOrEqual(960);
    expect(pcmRms(pcm)).toBeGreaterThan(0.1);
    expect(pcmZeroCrossingHz(pcm.subarray(0, 96_000))).toBeGreaterThan(420);
    expect(pcmZeroCrossingHz(pcm.subarray(0, 96_000))).toBeLessThan(460);
    const announced = emu.voice.events.find((e) => e.dir === 'out' && e.op === 5)?.d as { ssrc: number; user_id: string };
    expect(announced.user_id).toBe(alice.id);
    expect(conn.receiver.ssrcMap.get(alice.id)?.audioSSRC).toBe(announced.ssrc);
  });

  test('two users speaking at once (real-time pace) arrive on separate streams', async () => {
    const conn = await join();
    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: voice.id, userId: alice.id });
    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: voice.id, userId: bob.id });
    const fromAlice = collect(conn, alice.id);
    const fromBob = collect(conn, bob.id);
    await Promise.all([
      emu.voice.speak({ guildId: guild.id, userId: alice.id, pcm: tonePcm({ hz: 440, ms: 600 }) }),
      emu.voice.speak({ guildId: guild.id, userId: bob.id, pcm: tonePcm({ hz: 1000, ms: 400 }) }),
    ]);
    const [a, b] = [decodeOpusFrames(await fromAlice), decodeOpusFrames(await fromBob)];
    expect(pcmVoicedMs(a)).toBeGreaterThanOrEqual(560);
    expect(pcmVoicedMs(b)).toBeGreaterThanOrEqual(360);
    expect(pcmVoicedMs(b)).toBeLessThanOrEqual(420);
    expect(Math.abs(pcmZeroCrossingHz(a.subarray(0, 48_000)) - 440)).toBeLessThan(25);
    expect(Math.abs(pcmZeroCrossingHz(b.subarray(0, 38_400)) - 1000)).toBeLessThan(50);
  });

  test('send: an AudioPlayer plays a 1 s tone; the emulator decrypts ~50 frames and sees SPEAKING', async () => {
    const conn = await join();
    const player = createAudioPlayer();
    conn.subscribe(player);
    const raw = Buffer.from(tonePcm({ hz: 440, ms: 1000 }).buffer);
    player.play(createAudioResource(Readable.from([raw], { objectMode: false }), { inputType: StreamType.Raw }));
    await entersState(player, AudioPlayerStatus.Playing, 2000);
    await entersState(player, AudioPlayerStatus.Idle, 5000);
    await emu.waitFor(() => emu.voice.received(guild.id).speaking.some((s) => s.speaking === 0), { label: 'SPEAKING 0' });
    const got = emu.voice.received(guild.id);
    const sounding = got.frames.filter((f) => !f.opus.equals(Buffer.from([0xf8, 0xff, 0xfe])));
    expect(sounding.length).toBeGreaterThanOrEqual(49);
    expect(sounding.length).toBeLessThanOrEqual(51);
    expect(got.speaking.map((s) => s.speaking)).toEqual([1, 0]);
    for (const [i, f] of got.frames.entries()) {
      if (i === 0) continue;
      expect(f.seq).toBe((got.frames[i - 1]!.seq + 1) % 65536);
      expect(f.timestamp).toBe((got.frames[i - 1]!.timestamp + 960) % 2 ** 32);
    }
    const pcm = emu.voice.decodeReceived(guild.id);
    expect(pcmVoicedMs(pcm)).toBeGreaterThanOrEqual(960);
    expect(pcmVoicedMs(pcm)).toBeLessThanOrEqual(1040);
    expect(pcmRms(pcm)).toBeGreaterThan(0.1);
    expect(Math.abs(pcmZeroCrossingHz(pcm.subarray(0, 96_000)) - 440)).toBeLessThan(20);
    emu.voice.clearReceived(guild.id);
    expect(emu.voice.received(guild.id).frames).toEqual([]);
  });
});
