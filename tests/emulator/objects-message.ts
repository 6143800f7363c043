/** Builders for message JSON (REST responses and MESSAGE_CREATE/UPDATE dispatches). */
import { memberObject, userObject, type Json } from './objects.js';
import type { EmuState } from './state.js';
import type { EmuAttachment, EmuMessage, EmuReaction } from './types.js';

export function attachmentObject(a: EmuAttachment): Json {
  return {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url: a.url,
    proxy_url: a.proxyUrl,
    content_type: a.contentType ?? undefined,
    ...(a.description !== undefined ? { description: a.description } : {}),
    ...(a.durationSecs !== undefined ? { duration_secs: a.durationSecs } : {}),
    ...(a.waveform !== undefined ? { waveform: a.waveform } : {}),
  };
}

/** Parses an emoji as written in reaction routes: a unicode emoji, `name:id` or `a:name:id`. */
export function emojiObject(emoji: string): Json {
  const parts = emoji.split(':');
  const id = parts.length >= 2 ? parts[parts.length - 1] : undefined;
  if (id && /^\d+$/.test(id)) return { id, name: parts[parts.length - 2] ?? null, ...(parts[0] === 'a' ? { animated: true } : {}) };
  return { id: null, name: emoji };
}

function reactionObject(r: EmuReaction, botId: string): Json {
  return {
    emoji: emojiObject(r.emoji),
    count: r.userIds.length,
    count_details: { burst: 0, normal: r.userIds.length },
    burst_colors: [],
    me_burst: false,
    burst_me: false,
    burst_count: 0,
    me: r.userIds.includes(botId),
  };
}

/** Embeds as Discord stores them: `type: 'rich'` and field `inline: false` added when the sender left them out. */
export function normalizeEmbeds(embeds: unknown): unknown[] {
  if (!Array.isArray(embeds)) return [];
  return embeds.map((e) => {
    if (!e || typeof e !== 'object') return e;
    const embed: Json = { type: 'rich', ...(e as Json) };
    if (Array.isArray(embed.fields)) embed.fields = embed.fields.map((f: unknown) => ({ inline: false, ...(f as Json) }));
    return embed;
  });
}

function mentionUsers(state: EmuState, m: EmuMessage, gateway: boolean): Json[] {
  return m.mentionIds.flatMap((id) => {
    const user = state.users.get(id);
    if (!user) return [];
    const member = m.guildId ? state.member(m.guildId, id) : undefined;
    return [{ ...userObject(user), ...(gateway && member ? { member: memberObject(state, member, false) } : {}) }];
  });
}

function interactionParts(state: EmuState, m: EmuMessage): Json {
  const interaction = m.interactionId ? state.interactions.get(m.interactionId) : undefined;
  if (!interaction) return {};
  const user = userObject(state.user(interaction.userId));
  const owners = interaction.guildId ? { '0': interaction.guildId } : { '1': interaction.userId };
  const base = { id: interaction.id, type: interaction.type, user, authorizing_integration_owners: owners };
  const byType: Record<number, Json> = {
    2: {
      name: interaction.name,
      command_type: interaction.messageId ? 3 : 1,
      ...(interaction.messageId ? { target_message_id: interaction.messageId } : {}),
    },
    3: { interacted_message_id: interaction.messageId },
    5: { triggering_interaction_metadata: { ...base, type: 2 } },
  };
  return {
    application_id: state.applicationId,
    interaction_metadata: { ...base, ...(byType[interaction.type] ?? {}) },
    interaction: { id: interaction.id, type: interaction.type, name: interaction.name, user },
  };
}

/**
 * A message as Discord sends it. `gateway` adds guild_id and the author's partial member (dispatch shape);
 * `depth` limits referenced_message nesting like Discord (one level).
 */
export function messageObject(state: EmuState, m: EmuMessage, gateway: boolean, depth = 0): Json {
  const author = state.user(m.authorId);
  const member = m.guildId && !m.webhookId ? state.member(m.guildId, m.authorId) : undefined;
  const ref = m.replyTo ? state.messagesById.get(m.replyTo) : undefined;
  return {
    id: m.id,
    type: m.type,
    channel_id: m.channelId,
    ...(gateway && m.guildId ? { guild_id: m.guildId } : {}),
    ...(gateway && depth === 0 ? { channel_type: state.channel(m.channelId).type } : {}),
    author: userObject(author),
    ...(gateway && member ? { member: memberObject(state, member, false) } : {}),
    content: m.content,
    timestamp: new Date(m.createdAt).toISOString(),
    edited_timestamp: m.editedAt === null ? null : new Date(m.editedAt).toISOString(),
    tts: m.tts,
    mention_everyone: m.mentionEveryone,
    mentions: mentionUsers(state, m, gateway),
    mention_roles: [...m.mentionRoleIds],
    attachments: m.attachments.map(attachmentObject),
    embeds: m.embeds,
    components: m.components,
    ...(m.reactions.length > 0 ? { reactions: m.reactions.map((r) => reactionObject(r, state.botUser.id)) } : {}),
    pinned: false,
    flags: m.flags,
    ...(m.nonce !== null ? { nonce: m.nonce } : {}),
    ...(m.webhookId ? { webhook_id: m.webhookId } : {}),
    ...interactionParts(state, m),
    ...(m.replyTo
      ? {
          message_reference: { type: 0, message_id: m.replyTo, channel_id: m.channelId, ...(m.guildId ? { guild_id: m.guildId } : {}) },
          referenced_message: ref && !ref.deleted && depth === 0 ? messageObject(state, ref, gateway, depth + 1) : null,
        }
      : {}),
  };
}

/** A fresh message record with Discord's defaults; callers fill content and the rest. */
export function newMessage(state: EmuState, p: { channelId: string; authorId: string; content: string }): EmuMessage {
  const channel = state.channel(p.channelId);
  const createdAt = Date.now();
  return {
    id: state.ids.next(createdAt),
    channelId: channel.id,
    guildId: channel.guildId,
    authorId: p.authorId,
    fromBot: p.authorId === state.botUser.id,
    content: p.content,
    edits: [],
    createdAt,
    editedAt: null,
    deleted: false,
    type: 0,
    flags: 0,
    tts: false,
    replyTo: null,
    attachments: [],
    embeds: [],
    components: [],
    reactions: [],
    mentionIds: [],
    mentionRoleIds: [],
    mentionEveryone: false,
    nonce: null,
    webhookId: null,
    interactionId: null,
  };
}

/** Fills mentions from `<@id>`, `<@!id>`, `<@&role>`, @everyone and @here, as Discord's parser does. */
export function parseMentions(state: EmuState, m: EmuMessage, repliedUser = true): void {
  const users = [...m.content.matchAll(/<@!?(\d+)>/g)].map((x) => x[1] ?? '');
  m.mentionIds = [...new Set(users)].filter((id) => state.users.has(id));
  const roles = [...m.content.matchAll(/<@&(\d+)>/g)].map((x) => x[1] ?? '');
  m.mentionRoleIds = [...new Set(roles)].filter((id) => state.roles.get(id)?.guildId === m.guildId);
  m.mentionEveryone = /@(everyone|here)\b/.test(m.content);
  const ref = m.replyTo ? state.messagesById.get(m.replyTo) : undefined;
  if (repliedUser && ref && !m.mentionIds.includes(ref.authorId)) m.mentionIds.push(ref.authorId);
}
