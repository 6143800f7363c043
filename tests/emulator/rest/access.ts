/** Channel lookup and the bot's permission checks (guild-level roles; no per-channel overwrites are emulated). */
import type { EmuContext } from '../context.js';
import { memberPermissions } from '../objects.js';
import type { EmuChannel, EmuMessage } from '../types.js';
import { DiscordHttpError, unknown } from './errors.js';

export const Perm = {
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
} as const;

export function channelOf(ctx: EmuContext, channelId: string | undefined): EmuChannel {
  const channel = channelId ? ctx.state.channels.get(channelId) : undefined;
  if (!channel) throw unknown('Channel');
  if (channel.guildId && !ctx.state.member(channel.guildId, ctx.state.botUser.id)) throw unknown('Channel');
  return channel;
}

export function messageOf(ctx: EmuContext, channel: EmuChannel, messageId: string | undefined): EmuMessage {
  const m = messageId ? ctx.state.message(channel.id, messageId) : undefined;
  if (!m) throw unknown('Message');
  return m;
}

/** Throws 403 Missing Access / Missing Permissions when the bot lacks `bits` in a guild channel (DMs allow all). */
export function requirePerms(ctx: EmuContext, channel: EmuChannel, bits: bigint): void {
  if (!channel.guildId) return;
  const perms = BigInt(memberPermissions(ctx.state, channel.guildId, ctx.state.botUser.id));
  if ((perms & Perm.ViewChannel) === 0n) throw new DiscordHttpError(403, 50001, 'Missing Access');
  if ((perms & bits) !== bits) throw new DiscordHttpError(403, 50013, 'Missing Permissions');
}

export function hasPerms(ctx: EmuContext, channel: EmuChannel, bits: bigint): boolean {
  if (!channel.guildId) return true;
  return (BigInt(memberPermissions(ctx.state, channel.guildId, ctx.state.botUser.id)) & bits) === bits;
}
