/**
 * Who is in which voice channel: the bot's joins/leaves (main gateway op 4 -> VOICE_SERVER_UPDATE / 4014 close) and
 * simulated users' joins/leaves (VOICE_STATE_UPDATE, plus op 11 / op 13 on the bot's voice gateway).
 */
import { randomBytes } from 'node:crypto';
import { voiceStateObject } from '../objects.js';
import { BotVoiceSession, type VoiceWorld } from './world.js';
import { botLeavesDave } from './dave/bot-link.js';
import { SimDaveMember } from './dave/sim-member.js';

/**
 * The bot joined or moved (its VOICE_STATE_UPDATE is already dispatched). A new voice server session is handed out
 * with VOICE_SERVER_UPDATE unless the bot stays in the same channel on a live voice connection (mute/deafen change).
 */
export function botJoined(world: VoiceWorld, p: { guildId: string; channelId: string; sessionId: string }, endpoint: string): void {
  const existing = world.sessions.get(p.guildId);
  if (existing && existing.channelId === p.channelId && existing.sessionId === p.sessionId && existing.live) return;
  if (existing) botLeavesDave(world, existing);
  const session = new BotVoiceSession(p.guildId, p.channelId, p.sessionId, world.newToken(), world.events);
  world.sessions.set(p.guildId, session);
  world.ctx.gateway.dispatch('VOICE_SERVER_UPDATE', { token: session.token, guild_id: p.guildId, endpoint });
}

/** The bot left (op 4 with channel_id null) or was disconnected: the voice session ends (close 4014). */
export function botLeft(world: VoiceWorld, guildId: string): void {
  const session = world.sessions.get(guildId);
  if (!session) return;
  world.sessions.delete(guildId);
  botLeavesDave(world, session);
  session.ready = false;
  session.ws?.close(4014, 'Disconnected');
}

/** Server side kick: VOICE_STATE_UPDATE with channel_id null for the bot, then the voice session ends. */
export function disconnectBot(world: VoiceWorld, guildId: string): void {
  const { state, gateway } = world.ctx;
  const key = `${guildId}:${state.botUser.id}`;
  const entry = state.voiceStates.get(key);
  if (entry && entry.channelId !== null) {
    const left = { ...entry, channelId: null };
    state.voiceStates.set(key, left);
    gateway.dispatch('VOICE_STATE_UPDATE', voiceStateObject(state, left));
  }
  botLeft(world, guildId);
}

export function userJoinsVoice(
  world: VoiceWorld,
  p: { guildId: string; channelId: string; userId: string; announceDelayMs?: number },
): void {
  const { state, gateway } = world.ctx;
  const channel = state.channel(p.channelId);
  if (channel.guildId !== p.guildId || channel.type !== 2) {
    throw new Error(`emulator: channel ${p.channelId} is not a voice channel of guild ${p.guildId}`);
  }
  if (p.userId === state.botUser.id) throw new Error('emulator: the bot joins voice itself (op 4 / joinVoiceChannel)');
  if (!state.member(p.guildId, p.userId)) throw new Error(`emulator: user ${p.userId} is not a member of guild ${p.guildId}`);
  const key = `${p.guildId}:${p.userId}`;
  const prev = state.voiceStates.get(key);
  const sessionId = prev?.sessionId ?? randomBytes(16).toString('hex');
  const entry = { guildId: p.guildId, userId: p.userId, channelId: p.channelId, sessionId, selfMute: false, selfDeaf: false };
  state.voiceStates.set(key, entry);
  gateway.dispatch('VOICE_STATE_UPDATE', voiceStateObject(state, entry));
  announceMove(world, p.guildId, p.userId, prev?.channelId ?? null, p.channelId, p.announceDelayMs ?? 0);
}

export function userLeavesVoice(world: VoiceWorld, p: { guildId: string; userId: string }): void {
  const { state, gateway } = world.ctx;
  const key = `${p.guildId}:${p.userId}`;
  const prev = state.voiceStates.get(key);
  if (!prev || prev.channelId === null) return;
  const entry = { ...prev, channelId: null };
  state.voiceStates.set(key, entry);
  gateway.dispatch('VOICE_STATE_UPDATE', voiceStateObject(state, entry));
  announceMove(world, p.guildId, p.userId, prev.channelId, null);
}

/** op 13 when a user leaves the bot's channel (their SSRC is forgotten), op 11 when one enters it. */
function announceMove(world: VoiceWorld, guildId: string, userId: string, from: string | null, to: string | null, delayMs = 0): void {
  if (from === to) return;
  if (from !== null) world.speakers.delete(`${guildId}:${userId}`);
  moveSimDave(world, guildId, userId, from, to);
  const session = world.sessions.get(guildId);
  if (!session?.identified) return;
  if (from === session.channelId) session.sendEvent(13, { user_id: userId });
  if (to !== session.channelId) return;
  if (delayMs <= 0) return session.sendEvent(11, { user_ids: [userId] });
  setTimeout(() => {
    if (world.sessions.get(guildId) === session) session.sendEvent(11, { user_ids: [userId] });
  }, delayMs).unref();
}

/** A simulated user's DAVE client leaves the old channel's group and joins the new one's (DAVE on). */
function moveSimDave(world: VoiceWorld, guildId: string, userId: string, from: string | null, to: string | null): void {
  const key = `${guildId}:${userId}`;
  const old = world.daveSims.get(key);
  if (old && from !== null) {
    old.close();
    world.daveSims.delete(key);
    world.daveGroups.get(from)?.leave(userId);
  }
  if (to === null || !world.settings.dave) return;
  const sim = new SimDaveMember(userId, to, world.daveGroup(to), () => presentIn(world, guildId, to));
  world.daveSims.set(key, sim);
  sim.start();
}

/** Everyone (bot included) with a voice state in the channel. */
function presentIn(world: VoiceWorld, guildId: string, channelId: string): string[] {
  return [...world.ctx.state.voiceStates.values()].filter((v) => v.guildId === guildId && v.channelId === channelId).map((v) => v.userId);
}
