/**
 * Voice gateway v8, server side, per socket: HELLO, IDENTIFY -> READY, SELECT_PROTOCOL -> SESSION_DESCRIPTION
 * (dave_protocol_version 1 unless DAVE is off; DAVE ops in dave/bot-link.ts), heartbeats, SPEAKING from the bot,
 * RESUME -> RESUMED + replay (JSON and binary). 4017: the bot offered no DAVE while it is required.
 * Close codes as Discord: 4001 unknown opcode, 4002 decode error, 4003 not authenticated, 4004 authentication
 * failed, 4005 already authenticated, 4006 session no longer valid, 4012 unknown protocol, 4016 unknown mode.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Json } from '../objects.js';
import type { VoiceMode } from './types.js';
import { sendVoice, type BotVoiceSession, type VoiceWorld } from './world.js';
import { botJoinsDave, botLeavesDave, DAVE_JSON_OPS_IN, onBotDaveBinary, onBotDaveJson } from './dave/bot-link.js';

interface VoiceSocket {
  ws: WebSocket;
  session: BotVoiceSession | null;
}

export function acceptVoiceSocket(world: VoiceWorld, ws: WebSocket, url: URL): void {
  const sock: VoiceSocket = { ws, session: null };
  ws.on('error', () => undefined);
  ws.on('close', () => {
    if (sock.session?.ws === ws) sock.session.ws = null;
  });
  if (url.searchParams.get('v') !== '8') {
    world.violation(`voice gateway: connected with ${url.search || 'no version'}, expected ?v=8`);
    return ws.close(4020, 'Bad request');
  }
  ws.on('message', (raw, isBinary) => onMessage(world, sock, raw as Buffer, isBinary));
  sendVoice(ws, null, { op: 8, d: { heartbeat_interval: world.settings.heartbeatIntervalMs } }, world.events);
}

function onMessage(world: VoiceWorld, sock: VoiceSocket, raw: Buffer, isBinary: boolean): void {
  const guildId = sock.session?.guildId ?? null;
  if (isBinary) {
    if (!sock.session) return sock.ws.close(4003, 'Not authenticated');
    return onBotDaveBinary(world, sock.session, raw);
  }
  let p: { op?: unknown; d?: unknown };
  try {
    p = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
  } catch {
    world.violation('voice gateway: payload is not JSON');
    return sock.ws.close(4002, 'Failed to decode payload');
  }
  const d = (p.d && typeof p.d === 'object' ? p.d : {}) as Json;
  world.events.push({ guildId, op: Number(p.op), d: p.d, dir: 'in', at: Date.now() });
  if (p.op === 3) return sendVoice(sock.ws, guildId, { op: 6, d: { t: d.t } }, world.events);
  if (p.op === 0) return identify(world, sock, d);
  if (p.op === 7) return resume(world, sock, d);
  if (!sock.session) return sock.ws.close(4003, 'Not authenticated');
  if (p.op === 1) return selectProtocol(world, sock.session, d);
  if (p.op === 5) return speaking(world, sock.session, d);
  if (DAVE_JSON_OPS_IN.has(Number(p.op))) return onBotDaveJson(world, sock.session, Number(p.op), d);
  world.violation(`voice gateway: unknown opcode ${String(p.op)}`);
  sock.ws.close(4001, 'Unknown opcode');
}

function attach(sock: VoiceSocket, s: BotVoiceSession): void {
  if (s.ws && s.ws !== sock.ws) s.ws.terminate();
  s.ws = sock.ws;
  sock.session = s;
}

function identify(world: VoiceWorld, sock: VoiceSocket, d: Json): void {
  if (sock.session) return sock.ws.close(4005, 'Already authenticated');
  const s = world.sessions.get(String(d.server_id));
  const problem = !s
    ? `no voice session for server_id ${String(d.server_id)}`
    : d.user_id !== world.ctx.state.botUser.id
      ? `user_id ${String(d.user_id)} is not the bot`
      : d.session_id !== s.sessionId
        ? 'session_id does not match VOICE_STATE_UPDATE'
        : d.token !== s.token
          ? 'token does not match the latest VOICE_SERVER_UPDATE'
          : null;
  if (problem || !s) {
    world.violation(`voice IDENTIFY rejected: ${problem}`);
    return sock.ws.close(4004, 'Authentication failed');
  }
  if (world.settings.dave && !(Number(d.max_dave_protocol_version) >= 1)) {
    world.violation('voice IDENTIFY without max_dave_protocol_version >= 1 while DAVE is required');
    return sock.ws.close(4017, 'E2EE/DAVE protocol required');
  }
  attach(sock, s);
  botLeavesDave(world, s);
  const daveVersion = world.settings.dave ? 1 : 0;
  Object.assign(s, { identified: true, ready: false, mode: null, secretKey: null, udpPeer: null, ssrc: world.newSsrc(), daveVersion });
  world.stats.identifies++;
  s.send(2, { ssrc: s.ssrc, ip: '127.0.0.1', port: world.udpPort(), modes: [...world.settings.modes], experiments: [] });
}

function selectProtocol(world: VoiceWorld, s: BotVoiceSession, d: Json): void {
  const data = (d.data ?? {}) as Json;
  if (d.protocol !== 'udp' || typeof data.address !== 'string' || typeof data.port !== 'number') {
    world.violation(`voice SELECT_PROTOCOL malformed: ${JSON.stringify(d)}`);
    return s.ws?.close(4012, 'Unknown protocol');
  }
  const mode = data.mode as VoiceMode;
  if (!world.settings.modes.includes(mode)) {
    world.violation(`voice SELECT_PROTOCOL: mode ${String(data.mode)} was not offered`);
    return s.ws?.close(4016, 'Unknown encryption mode');
  }
  Object.assign(s, { mode, udpPeer: { address: data.address, port: data.port }, secretKey: randomBytes(32) });
  s.send(4, {
    mode,
    secret_key: [...(s.secretKey ?? [])],
    dave_protocol_version: s.daveVersion,
    audio_codec: 'opus',
    video_codec: 'H264',
    media_session_id: randomBytes(16).toString('hex'),
  });
  s.ready = true;
  const others = usersInChannel(world, s.guildId, s.channelId);
  if (others.length > 0) s.sendEvent(11, { user_ids: others });
  if (s.daveVersion > 0) botJoinsDave(world, s);
}

/** Users (not the bot) whose voice state is in the channel. */
export function usersInChannel(world: VoiceWorld, guildId: string, channelId: string): string[] {
  const botId = world.ctx.state.botUser.id;
  return [...world.ctx.state.voiceStates.values()]
    .filter((v) => v.guildId === guildId && v.channelId === channelId && v.userId !== botId)
    .map((v) => v.userId);
}

function speaking(world: VoiceWorld, s: BotVoiceSession, d: Json): void {
  if (d.ssrc !== s.ssrc) world.violation(`voice SPEAKING: ssrc ${String(d.ssrc)} is not the bot's ssrc ${s.ssrc}`);
  world.receivedFor(s.guildId).speaking.push({ speaking: Number(d.speaking), at: Date.now() });
}

function resume(world: VoiceWorld, sock: VoiceSocket, d: Json): void {
  const s = world.sessions.get(String(d.server_id));
  if (!s || !s.identified || d.session_id !== s.sessionId || d.token !== s.token) {
    world.violation(`voice RESUME rejected for server_id ${String(d.server_id)}`);
    return sock.ws.close(4006, 'Session no longer valid');
  }
  attach(sock, s);
  world.stats.resumes++;
  s.send(9, null);
  s.replayAfter(typeof d.seq_ack === 'number' ? d.seq_ack : -1);
}
