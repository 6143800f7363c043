/** State changes that real Discord announces on the gateway: each mutates state, then dispatches. */
import type { EmuContext } from './context.js';
import { channelObject, guildCreatePayload, memberObject, type Json } from './objects.js';
import { emojiObject, messageObject } from './objects-message.js';
import type { EmuAttachment, EmuChannel, EmuGuild, EmuMessage, UploadedFile } from './types.js';

export function publishMessage(ctx: EmuContext, m: EmuMessage): void {
  ctx.state.storeMessage(m);
  if (m.flags & 64) return; // ephemeral messages only reach the user who triggered them
  ctx.gateway.dispatch('MESSAGE_CREATE', messageObject(ctx.state, m, true));
}

/** Announces an edit (content history is kept by the caller via `edits`). */
export function publishEdit(ctx: EmuContext, m: EmuMessage): void {
  m.editedAt = Date.now();
  if (m.flags & 64) return;
  ctx.gateway.dispatch('MESSAGE_UPDATE', messageObject(ctx.state, m, true));
}

export function publishDelete(ctx: EmuContext, m: EmuMessage): void {
  m.deleted = true;
  if (m.flags & 64) return;
  ctx.gateway.dispatch('MESSAGE_DELETE', { id: m.id, channel_id: m.channelId, ...(m.guildId ? { guild_id: m.guildId } : {}) });
}

export function publishReaction(ctx: EmuContext, m: EmuMessage, userId: string, emoji: string, add: boolean): boolean {
  let reaction = m.reactions.find((r) => r.emoji === emoji);
  if (add) {
    if (reaction?.userIds.includes(userId)) return false;
    if (!reaction) m.reactions.push((reaction = { emoji, userIds: [] }));
    reaction.userIds.push(userId);
    ctx.state.rec.reactions.push({ channelId: m.channelId, messageId: m.id, emoji, userId });
  } else {
    if (!reaction?.userIds.includes(userId)) return false;
    reaction.userIds = reaction.userIds.filter((id) => id !== userId);
    m.reactions = m.reactions.filter((r) => r.userIds.length > 0);
  }
  const member = m.guildId ? ctx.state.member(m.guildId, userId) : undefined;
  const d: Json = {
    user_id: userId,
    channel_id: m.channelId,
    message_id: m.id,
    ...(m.guildId ? { guild_id: m.guildId } : {}),
    emoji: emojiObject(emoji),
    burst: false,
    type: 0,
    ...(add && member ? { member: memberObject(ctx.state, member) } : {}),
    ...(add ? { message_author_id: m.authorId, burst_colors: [] } : {}),
  };
  ctx.gateway.dispatch(add ? 'MESSAGE_REACTION_ADD' : 'MESSAGE_REACTION_REMOVE', d);
  return true;
}

export function publishGuild(ctx: EmuContext, g: EmuGuild): void {
  if (ctx.gateway.session) ctx.gateway.dispatch('GUILD_CREATE', guildCreatePayload(ctx.state, g));
}

export function publishChannel(ctx: EmuContext, c: EmuChannel): void {
  if (c.guildId) ctx.gateway.dispatch('CHANNEL_CREATE', channelObject(ctx.state, c));
}

/** Stores an uploaded file as an attachment served at http://127.0.0.1:PORT/attachments/{channel}/{id}/{name}. */
export function storeUpload(ctx: EmuContext, channelId: string, f: Omit<UploadedFile, 'field'>): EmuAttachment {
  const id = ctx.state.ids.next();
  const url = `${ctx.httpBase()}/attachments/${channelId}/${id}/${encodeURIComponent(f.name)}`;
  const a: EmuAttachment = { id, filename: f.name, size: f.data.length, contentType: f.contentType, url, proxyUrl: url, data: f.data };
  ctx.state.attachments.set(id, a);
  return a;
}
