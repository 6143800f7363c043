/** What the emulated humans do: write messages (with replies, mentions, files) and react. */
import type { EmuContext } from './context.js';
import { publishEdit, publishMessage, publishReaction, storeUpload } from './events.js';
import { newMessage, parseMentions } from './objects-message.js';
import type { EmuMessage } from './types.js';

export interface UserAttachment {
  name: string;
  data: Buffer;
  contentType?: string;
  /** Voice messages (flag 8192) carry these. */
  durationSecs?: number;
  waveform?: string;
}

export interface UserSaysParams {
  channelId: string;
  userId: string;
  content: string;
  replyTo?: string;
  attachments?: UserAttachment[];
  flags?: number;
}

function checkAuthor(ctx: EmuContext, channelId: string, userId: string): void {
  const channel = ctx.state.channel(channelId);
  ctx.state.user(userId);
  if (channel.guildId && !ctx.state.member(channel.guildId, userId)) {
    throw new Error(`emulator: user ${userId} is not a member of guild ${channel.guildId}; call addMember first`);
  }
  if (channel.type === 1 && !channel.recipientIds.includes(userId)) {
    throw new Error(`emulator: user ${userId} is not part of DM channel ${channelId}`);
  }
}

export function userSays(ctx: EmuContext, p: UserSaysParams): EmuMessage {
  checkAuthor(ctx, p.channelId, p.userId);
  const m = newMessage(ctx.state, { channelId: p.channelId, authorId: p.userId, content: p.content });
  if (p.replyTo) {
    if (!ctx.state.message(p.channelId, p.replyTo)) throw new Error(`emulator: no message ${p.replyTo} in channel ${p.channelId}`);
    m.replyTo = p.replyTo;
    m.type = 19;
  }
  m.flags = p.flags ?? 0;
  m.attachments = (p.attachments ?? []).map((a) => {
    const stored = storeUpload(ctx, p.channelId, { name: a.name, data: a.data, size: a.data.length, contentType: a.contentType ?? null });
    if (a.durationSecs !== undefined) stored.durationSecs = a.durationSecs;
    if (a.waveform !== undefined) stored.waveform = a.waveform;
    return stored;
  });
  parseMentions(ctx.state, m);
  publishMessage(ctx, m);
  return m;
}

export function userEdits(ctx: EmuContext, p: { channelId: string; messageId: string; content: string }): EmuMessage {
  const m = ctx.state.message(p.channelId, p.messageId);
  if (!m) throw new Error(`emulator: no message ${p.messageId} in channel ${p.channelId}`);
  m.edits.push(m.content);
  m.content = p.content;
  parseMentions(ctx.state, m);
  publishEdit(ctx, m);
  return m;
}

export function addReaction(ctx: EmuContext, p: { channelId: string; messageId: string; userId: string; emoji: string }): void {
  checkAuthor(ctx, p.channelId, p.userId);
  const m = ctx.state.message(p.channelId, p.messageId);
  if (!m) throw new Error(`emulator: no message ${p.messageId} in channel ${p.channelId}`);
  publishReaction(ctx, m, p.userId, p.emoji, true);
}
