/**
 * Audio both ways: simulated users speak (op 5, then encrypted RTP of 20 ms Opus frames, then 5 silence frames), and
 * the bot's RTP is decrypted and recorded per guild.
 */
import opus from '@discordjs/opus';
import { setTimeout as sleep } from 'node:timers/promises';
import { OPUS_SILENCE, openRtp, sealRtp } from './rtp.js';
import type { SpeakParams } from './types.js';
import type { UdpPeer, VoiceUdp } from './udp.js';
import type { BotVoiceSession, SimSpeaker, VoiceWorld } from './world.js';

/** @discordjs/opus is CommonJS: Node's ESM loader does not see its named exports. */
const { OpusEncoder } = opus;
const SAMPLE_RATE = 48_000;
const CHANNELS = 2;
const FRAME_SAMPLES = 960;
const FRAME_VALUES = FRAME_SAMPLES * CHANNELS;
const SILENCE_FRAMES = 5;
/** The SPEAKING op goes out one frame before the audio, so that the bot has mapped the SSRC when RTP arrives. */
const SPEAKING_LEAD_MS = 20;

/** Splits 48 kHz stereo PCM into 20 ms Opus frames (the last one padded with silence). */
export function encodePcm(pcm: Int16Array): Buffer[] {
  if (pcm.length % CHANNELS !== 0) throw new Error('emulator: pcm must be 48 kHz stereo interleaved (even length)');
  const encoder = new OpusEncoder(SAMPLE_RATE, CHANNELS);
  const frames: Buffer[] = [];
  for (let i = 0; i < pcm.length; i += FRAME_VALUES) {
    const chunk = new Int16Array(FRAME_VALUES);
    chunk.set(pcm.subarray(i, i + FRAME_VALUES));
    frames.push(encoder.encode(Buffer.from(chunk.buffer)));
  }
  return frames;
}

/** Decodes Opus frames to one 48 kHz stereo PCM array. */
export function decodeFrames(frames: Buffer[]): Int16Array {
  const decoder = new OpusEncoder(SAMPLE_RATE, CHANNELS);
  const parts = frames.map((f) => decoder.decode(f));
  const all = Buffer.concat(parts);
  return new Int16Array(all.buffer, all.byteOffset, all.byteLength / 2).slice();
}

function listeningSession(world: VoiceWorld, p: SpeakParams): BotVoiceSession | null {
  const s = world.sessions.get(p.guildId);
  if (!s?.ready || !s.udpPeer || !s.mode || !s.secretKey) return null;
  const vs = world.ctx.state.voiceStates.get(`${p.guildId}:${p.userId}`);
  return vs?.channelId === s.channelId ? s : null;
}

export async function speak(world: VoiceWorld, udp: VoiceUdp, p: SpeakParams): Promise<void> {
  const first = world.sessions.get(p.guildId);
  if (!first?.ready) throw new Error(`emulator.voice.speak: the bot has no ready voice connection in guild ${p.guildId}`);
  if (!listeningSession(world, p)) {
    throw new Error(`emulator.voice.speak: user ${p.userId} is not in the bot's voice channel (call userJoinsVoice first)`);
  }
  const sp = world.speaker(p.guildId, p.userId);
  if (sp.active) throw new Error(`emulator.voice.speak: user ${p.userId} is already speaking`);
  sp.active = true;
  try {
    const frames = [...encodePcm(p.pcm), ...Array.from({ length: SILENCE_FRAMES }, () => OPUS_SILENCE)];
    const interval = p.pace === 'fast' ? 2 : 20;
    sp.timestamp = (sp.timestamp + Math.round((Date.now() - sp.lastEnd) * (SAMPLE_RATE / 1000))) >>> 0;
    first.sendEvent(5, { user_id: p.userId, ssrc: sp.ssrc, speaking: 1 });
    await sleep(SPEAKING_LEAD_MS);
    const start = performance.now();
    for (const [i, frame] of frames.entries()) {
      const wait = start + i * interval - performance.now();
      if (wait > 0) await sleep(wait);
      const s = listeningSession(world, p);
      if (!s?.mode || !s.secretKey || !s.udpPeer) break;
      sp.seq = (sp.seq + 1) & 0xffff;
      sp.timestamp = (sp.timestamp + FRAME_SAMPLES) >>> 0;
      sp.nonce = (sp.nonce + 1) >>> 0;
      udp.send(sealRtp(s.mode, s.secretKey, sp, userFrame(world, p, sp, frame), sp.nonce), s.udpPeer);
    }
  } finally {
    sp.corrupt = 0;
    sp.active = false;
    sp.lastEnd = Date.now();
  }
}

/** What goes on the wire for one of a user's frames: DAVE-encrypted when their group is ready (counted), maybe corrupted. */
function userFrame(world: VoiceWorld, p: SpeakParams, sp: SimSpeaker, frame: Buffer): Buffer {
  const key = `${p.guildId}:${p.userId}`;
  const sim = world.daveSims.get(key);
  const out = sim ? sim.encrypt(frame) : frame;
  const sent = world.sent.get(key) ?? { frames: 0, dave: 0 };
  world.sent.set(key, sent);
  sent.frames++;
  if (out === frame) return out;
  sent.dave++;
  if (sp.corrupt <= 0) return out;
  sp.corrupt--;
  const bad = Buffer.from(out);
  for (let i = 1; i < Math.min(bad.length - 4, 12); i++) bad[i] = (bad[i] ?? 0) ^ 0xa5;
  return bad;
}

/** RTP from the bot: decrypt with its session's key and record the Opus payload. */
export function onBotRtp(world: VoiceWorld, msg: Buffer, from: UdpPeer): void {
  const ssrc = msg.length >= 12 ? msg.readUInt32BE(8) : -1;
  const s = [...world.sessions.values()].find((x) => x.ssrc === ssrc);
  if (!s?.mode || !s.secretKey) {
    const what = `${msg.length}-byte packet from ${from.address}:${from.port}`;
    if (!world.knowsSsrc(ssrc)) world.violation(`voice UDP: ${what} with unknown ssrc ${ssrc}`);
    return;
  }
  try {
    const pkt = openRtp(s.mode, s.secretKey, msg);
    if (pkt.version !== 2 || pkt.payloadType !== 120) {
      world.violation(`voice UDP: RTP version ${pkt.version} / payload type ${pkt.payloadType} (Discord wants 2 / 120)`);
    }
    const e2ee = botE2ee(world, s, Buffer.from(pkt.payload));
    if (!e2ee) return;
    const frame = { ...e2ee, at: Date.now(), seq: pkt.seq, timestamp: pkt.timestamp };
    world.receivedFor(s.guildId).frames.push(frame);
  } catch (err) {
    world.violation(`voice UDP: cannot decrypt the bot's RTP (${s.mode}): ${String(err)}`);
  }
}

const DAVE_MAGIC = 0xfafa;
/**
 * After the bot entered its group, plain frames are a violation once it has sent a DAVE frame (it has the keys), or
 * after this long (the server does not learn when a client has processed a transition-0 commit or Welcome).
 */
const PLAIN_GRACE_MS = 5000;

/**
 * The bot's frame after transport decryption: a DAVE frame is decrypted by each simulated user in the group (null when
 * none can: counted as undecryptable); a plain non-silence frame while the bot's group is established is a violation.
 */
function botE2ee(world: VoiceWorld, s: BotVoiceSession, payload: Buffer): { opus: Buffer; dave: boolean; decryptedBy: string[] } | null {
  const botId = world.ctx.state.botUser.id;
  const group = world.daveGroups.get(s.channelId);
  const isDave = payload.length > 2 && payload.readUInt16BE(payload.length - 2) === DAVE_MAGIC;
  if (!isDave) {
    if (group && s.daveLink && group.inGroup.length >= 2 && group.expectsDave(botId) && !payload.equals(OPUS_SILENCE)) {
      const since = group.memberSince(botId);
      if (s.lastDaveFrameAt > since || Date.now() - since > PLAIN_GRACE_MS) {
        world.violation(`voice UDP: the bot sent audio without DAVE while its group (epoch ${group.epoch}) exists`);
      }
    }
    return { opus: payload, dave: false, decryptedBy: [] };
  }
  s.lastDaveFrameAt = Date.now();
  let opus: Buffer | null = null;
  const decryptedBy: string[] = [];
  for (const [key, sim] of world.daveSims) {
    if (!key.startsWith(`${s.guildId}:`) || !group?.isMember(sim.userId)) continue;
    const plain = sim.decrypt(botId, payload);
    if (plain) [opus, decryptedBy[decryptedBy.length]] = [opus ?? plain, sim.userId];
  }
  if (!opus) {
    world.undecryptable++;
    return null;
  }
  return { opus, dave: true, decryptedBy };
}
