/**
 * op 4 from the bot (join/move/leave a voice channel): updates the bot's voice state and dispatches VOICE_STATE_UPDATE.
 * The voice server (voice/) adds VOICE_SERVER_UPDATE via `onJoin` and ends the voice session via `onLeave`.
 */
import type { EmuContext } from './context.js';
import type { GatewaySession } from './gateway-session.js';
import { voiceStateObject, type Json } from './objects.js';

export type VoiceJoinHook = (p: { guildId: string; channelId: string; sessionId: string }) => void;
export type VoiceLeaveHook = (p: { guildId: string }) => void;

export function handleBotVoiceState(
  ctx: EmuContext,
  d: Json,
  session: GatewaySession,
  onJoin?: VoiceJoinHook,
  onLeave?: VoiceLeaveHook,
): void {
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
  else onLeave?.({ guildId });
}
