/** Channel message routes: list/create/get/edit/delete, typing, and the bot's own reactions. */
import type { EmuContext } from '../context.js';
import { publishDelete, publishEdit, publishMessage, publishReaction } from '../events.js';
import { messageObject, newMessage, parseMentions } from '../objects-message.js';
import type { EmuMessage } from '../types.js';
import { Perm, channelOf, hasPerms, messageOf, requirePerms } from './access.js';
import { DiscordHttpError, errors, invalidForm } from './errors.js';
import { applyMessageInput, readMessageInput } from './message-input.js';
import type { EmuRequest, EmuResponse, Router } from './router.js';

const C = '/channels/{channel_id}';
const M = `${C}/messages/{message_id}`;

function listMessages(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const channel = channelOf(ctx, req.params.channel_id);
  requirePerms(ctx, channel, Perm.ReadMessageHistory);
  const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 100);
  const before = req.query.before ? BigInt(req.query.before) : undefined;
  const after = req.query.after ? BigInt(req.query.after) : undefined;
  let list = (ctx.state.messagesByChannel.get(channel.id) ?? []).filter((m) => !m.deleted && !(m.flags & 64));
  if (before !== undefined) list = list.filter((m) => BigInt(m.id) < before);
  if (after !== undefined) list = list.filter((m) => BigInt(m.id) > after).slice(0, limit);
  const newestFirst = [...list].reverse().slice(0, limit);
  return { status: 200, body: newestFirst.map((m) => messageObject(ctx.state, m, false)) };
}

/** Creates a message authored by the bot (channel message, interaction response or followup) and announces it. */
export function createBotMessage(
  ctx: EmuContext,
  req: EmuRequest,
  channelId: string,
  extra: Partial<Pick<EmuMessage, 'webhookId' | 'interactionId' | 'type' | 'flags'>> = {},
): EmuMessage {
  const input = readMessageInput(ctx, req, channelId);
  const m = newMessage(ctx.state, { channelId, authorId: ctx.state.botUser.id, content: '' });
  applyMessageInput(m, input, false);
  m.replyTo = input.replyTo ?? null;
  m.type = m.replyTo ? 19 : 0;
  Object.assign(m, extra);
  if (extra.flags !== undefined) m.flags |= input.flags ?? 0;
  parseMentions(ctx.state, m, input.repliedUserMention);
  publishMessage(ctx, m);
  return m;
}

function postMessage(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const channel = channelOf(ctx, req.params.channel_id);
  requirePerms(ctx, channel, Perm.SendMessages | (req.files.length > 0 ? Perm.AttachFiles : 0n));
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.flags === 'number' && body.flags & 64)
    throw invalidForm('flags', 'MESSAGE_FLAGS_INVALID', 'Ephemeral is only for interaction responses');
  const m = createBotMessage(ctx, req, channel.id);
  return { status: 200, body: messageObject(ctx.state, m, false) };
}

/** Edits a bot message in place and announces MESSAGE_UPDATE (shared with webhook edits). */
export function editBotMessage(ctx: EmuContext, req: EmuRequest, m: EmuMessage): EmuMessage {
  if (m.authorId !== ctx.state.botUser.id) throw errors.notAuthor();
  const input = readMessageInput(ctx, req, m.channelId, m);
  applyMessageInput(m, input, true);
  parseMentions(ctx.state, m, input.repliedUserMention);
  publishEdit(ctx, m);
  return m;
}

function patchMessage(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const channel = channelOf(ctx, req.params.channel_id);
  const m = editBotMessage(ctx, req, messageOf(ctx, channel, req.params.message_id));
  return { status: 200, body: messageObject(ctx.state, m, false) };
}

function getMessage(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const channel = channelOf(ctx, req.params.channel_id);
  requirePerms(ctx, channel, Perm.ReadMessageHistory);
  return { status: 200, body: messageObject(ctx.state, messageOf(ctx, channel, req.params.message_id), false) };
}

function deleteMessage(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const channel = channelOf(ctx, req.params.channel_id);
  const m = messageOf(ctx, channel, req.params.message_id);
  const own = m.authorId === ctx.state.botUser.id;
  if (!own && (!channel.guildId || !hasPerms(ctx, channel, Perm.ManageMessages))) {
    throw new DiscordHttpError(403, 50013, 'Missing Permissions');
  }
  publishDelete(ctx, m);
  return { status: 204 };
}

function typing(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const channel = channelOf(ctx, req.params.channel_id);
  requirePerms(ctx, channel, Perm.SendMessages);
  ctx.state.rec.typing.push({ channelId: channel.id, at: Date.now() });
  return { status: 204 };
}

function validEmoji(emoji: string): boolean {
  return /^(a:)?\w{2,32}:\d+$/.test(emoji) || /[^\x00-\x7F]/.test(emoji);
}

function reaction(add: boolean) {
  return (req: EmuRequest, ctx: EmuContext): EmuResponse => {
    const channel = channelOf(ctx, req.params.channel_id);
    const m = messageOf(ctx, channel, req.params.message_id);
    const emoji = req.params.emoji_name ?? '';
    if (!validEmoji(emoji)) throw new DiscordHttpError(400, 10014, 'Unknown Emoji');
    const exists = m.reactions.some((r) => r.emoji === emoji);
    if (add) requirePerms(ctx, channel, Perm.ReadMessageHistory | (exists ? 0n : Perm.AddReactions));
    publishReaction(ctx, m, ctx.state.botUser.id, emoji, add);
    return { status: 204 };
  };
}

export function messageRoutes(r: Router): void {
  r.add('GET', `${C}/messages`, listMessages)
    .add('POST', `${C}/messages`, postMessage)
    .add('GET', M, getMessage)
    .add('PATCH', M, patchMessage)
    .add('DELETE', M, deleteMessage)
    .add('POST', `${C}/typing`, typing)
    .add('PUT', `${M}/reactions/{emoji_name}/@me`, reaction(true))
    .add('DELETE', `${M}/reactions/{emoji_name}/@me`, reaction(false));
}
