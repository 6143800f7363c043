import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  AudioPlayerStatus,
  createAudioPlayer,
  createAudioResource,
  EndBehaviorType,
  entersState,
  StreamType,
  type VoiceConnection,
} from '@discordjs/voice';
import { decodeOpusFrames, pcmDurationMs, pcmRms, pcmVoicedMs, pcmZeroCrossingHz, tonePcm } from '../emulator/index.js';
import { startVoiceWorld, type VoiceWorld } from './voice-setup.js';

let w: VoiceWorld<'alice' | 'bob'>;
beforeEach(async () => {
  w = await startVoiceWorld(['alice', 'bob']);
});
afterEach(() => w.close());

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
    const conn = await w.join();
    expect(conn.state.status).toBe('ready');
    const info = w.emu.voice.connection(w.guild.id);
    expect(info).toMatchObject({ guildId: w.guild.id, channelId: w.voice.id, ready: true, mode: 'aead_aes256_gcm_rtpsize' });
    expect(info).toMatchObject({ selfDeaf: false, selfMute: false });
    expect(info?.udpPeer?.address).toBe('127.0.0.1');
    expect(info?.ssrc).toBeGreaterThan(0);
    expect(w.client.guilds.cache.get(w.guild.id)?.members.me?.voice.channelId).toBe(w.voice.id);
    const flow = w.emu.voice.events.filter((e) => e.op !== 3 && e.op !== 6).map((e) => `${e.dir} ${e.op}`);
    expect(flow.slice(0, 5)).toEqual(['out 8', 'in 0', 'out 2', 'in 1', 'out 4']);
    const identify = w.emu.voice.events.find((e) => e.dir === 'in' && e.op === 0)?.d;
    expect(identify).toMatchObject({ server_id: w.guild.id, user_id: w.emu.botUser.id });
    const serverUpdate = w.emu.gatewayEvents.find((e) => e.t === 'VOICE_SERVER_UPDATE')?.d;
    expect(serverUpdate).toMatchObject({ guild_id: w.guild.id, endpoint: w.emu.voice.endpoint });
    expect(w.emu.voice.identifies).toBe(1);
  });

  test('receive: a user speaks a 1 s tone; the receiver maps the SSRC and yields ~1 s of decodable audio', async () => {
    const conn = await w.join();
    w.emu.voice.userJoinsVoice({ guildId: w.guild.id, channelId: w.voice.id, userId: w.alice.id });
    await w.emu.voice.waitForDave(w.guild.id);
    const packets = collect(conn, w.alice.id);
    await w.emu.voice.speak({ guildId: w.guild.id, userId: w.alice.id, pcm: tonePcm({ hz: 440, ms: 1000 }), pace: 'fast' });
    const pcm = decodeOpusFrames(await packets);
    expect(pcmDurationMs(pcm)).toBeGreaterThanOrEqual(1000);
    expect(pcmDurationMs(pcm)).toBeLessThanOrEqual(1100);
    expect(pcmVoicedMs(pcm)).toBeGreaterThanOrEqual(960);
    expect(pcmRms(pcm)).toBeGreaterThan(0.1);
    expect(pcmZeroCrossingHz(pcm.subarray(0, 96_000))).toBeGreaterThan(420);
    expect(pcmZeroCrossingHz(pcm.subarray(0, 96_000))).toBeLessThan(460);
    const announced = w.emu.voice.events.find((e) => e.dir === 'out' && e.op === 5)?.d as { ssrc: number; user_id: string };
    expect(announced.user_id).toBe(w.alice.id);
    expect(conn.receiver.ssrcMap.get(w.alice.id)?.audioSSRC).toBe(announced.ssrc);
  });

  test('two users speaking at once (real-time pace) arrive on separate streams', async () => {
    const conn = await w.join();
    w.emu.voice.userJoinsVoice({ guildId: w.guild.id, channelId: w.voice.id, userId: w.alice.id });
    w.emu.voice.userJoinsVoice({ guildId: w.guild.id, channelId: w.voice.id, userId: w.bob.id });
    await w.emu.voice.waitForDave(w.guild.id);
    const fromAlice = collect(conn, w.alice.id);
    const fromBob = collect(conn, w.bob.id);
    await Promise.all([
      w.emu.voice.speak({ guildId: w.guild.id, userId: w.alice.id, pcm: tonePcm({ hz: 440, ms: 600 }) }),
      w.emu.voice.speak({ guildId: w.guild.id, userId: w.bob.id, pcm: tonePcm({ hz: 1000, ms: 400 }) }),
    ]);
    const [a, b] = [decodeOpusFrames(await fromAlice), decodeOpusFrames(await fromBob)];
    expect(pcmVoicedMs(a)).toBeGreaterThanOrEqual(560);
    expect(pcmVoicedMs(b)).toBeGreaterThanOrEqual(360);
    expect(pcmVoicedMs(b)).toBeLessThanOrEqual(420);
    expect(Math.abs(pcmZeroCrossingHz(a.subarray(0, 48_000)) - 440)).toBeLessThan(25);
    expect(Math.abs(pcmZeroCrossingHz(b.subarray(0, 38_400)) - 1000)).toBeLessThan(50);
  });

  test('send: an AudioPlayer plays a 1 s tone; the emulator decrypts ~50 frames and sees SPEAKING', async () => {
    const conn = await w.join();
    const player = createAudioPlayer();
    conn.subscribe(player);
    const raw = Buffer.from(tonePcm({ hz: 440, ms: 1000 }).buffer);
    player.play(createAudioResource(Readable.from([raw], { objectMode: false }), { inputType: StreamType.Raw }));
    await entersState(player, AudioPlayerStatus.Playing, 2000);
    await entersState(player, AudioPlayerStatus.Idle, 5000);
    await w.emu.waitFor(() => w.emu.voice.received(w.guild.id).speaking.some((s) => s.speaking === 0), { label: 'SPEAKING 0' });
    const got = w.emu.voice.received(w.guild.id);
    const sounding = got.frames.filter((f) => !f.opus.equals(Buffer.from([0xf8, 0xff, 0xfe])));
    expect(sounding.length).toBeGreaterThanOrEqual(49);
    expect(sounding.length).toBeLessThanOrEqual(51);
    expect(got.speaking.map((s) => s.speaking)).toEqual([1, 0]);
    for (const [i, f] of got.frames.entries()) {
      if (i === 0) continue;
      expect(f.seq).toBe((got.frames[i - 1]!.seq + 1) % 65536);
      expect(f.timestamp).toBe((got.frames[i - 1]!.timestamp + 960) % 2 ** 32);
    }
    const pcm = w.emu.voice.decodeReceived(w.guild.id);
    expect(pcmVoicedMs(pcm)).toBeGreaterThanOrEqual(960);
    expect(pcmVoicedMs(pcm)).toBeLessThanOrEqual(1040);
    expect(pcmRms(pcm)).toBeGreaterThan(0.1);
    expect(Math.abs(pcmZeroCrossingHz(pcm.subarray(0, 96_000)) - 440)).toBeLessThan(20);
    w.emu.voice.clearReceived(w.guild.id);
    expect(w.emu.voice.received(w.guild.id).frames).toEqual([]);
  });
});
