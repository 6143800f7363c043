/**
 * op 4 from the bot (join/move/leave a voice channel): updates the bot's voice state and dispatches VOICE_STATE_UPDATE.
 * VOICE_SERVER_UPDATE (the voice gateway/UDP endpoint) is not emulated yet; a voice module can add it via `onJoin`.
 */
import type { EmuContext } from './context.js';
import type { GatewaySession } from './gateway-session.js';
import { voiceStateObject, type Json } from './objects.js';

export type VoiceJoinHook = (p: { guildId: string; channelId: string; sessionId: string }) => void;

export function handleBotVoiceState(ctx: EmuContext, d: Json, session: GatewaySession, onJoin?: VoiceJoinHook): void {
  const guildId = String(d.guild_id ?? '');
  if (!ctx.state.guilds.has(guildId)) return;
  const channelId = typeof d.channel_id === 'string' ? d.channel_id : null;
  if (channelId !== null && ctx.state.channels.get(channelId)?.guildId !== guildId) return;
  const entry = {
    guildId,
    userId: ctx.state.botUser.id,
    channelId,
    sessionId: session.id,
    selfMute: d.self_mute === true,
    selfDeaf: d.self_deaf === true,
  };
  ctx.state.voiceStates.set(`${guildId}:${entry.userId}`, entry);
  ctx.gateway.dispatch('VOICE_STATE_UPDATE', voiceStateObject(ctx.state, entry));
  if (channelId !== null) onJoin?.({ guildId, channelId, sessionId: session.id });
}
