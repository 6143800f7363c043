import { cleanContent, MessageFlags, PermissionFlagsBits, type Message } from 'discord.js';
import type { AttachmentRef, IncomingMessage, OutgoingMessage } from '../chat/types.js';
import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from 'discord.js';
import type { MessageCreateOptions } from 'discord.js';

/** A discord.js Message as Eos's platform-neutral IncomingMessage. */
export function toIncoming(message: Message, botId: string): IncomingMessage {
  const member = message.member;
  const guildId = message.guildId;
  return {
    id: message.id,
    channelId: message.channelId,
    guildId,
    guildName: message.guild?.name,
    channelName: 'name' in message.channel ? (message.channel.name ?? undefined) : undefined,
    isDM: message.channel.isDMBased(),
    author: {
      id: message.author.id,
      username: message.author.username,
      displayName: member?.displayName ?? message.author.globalName ?? message.author.username,
      bot: message.author.bot,
    },
    roleIds: member ? [...member.roles.cache.keys()].filter((id) => id !== guildId) : [],
    authorIsGuildAdmin: isGuildAdmin(member?.permissions),
    content: message.content,
    cleanContent: cleanContent(withoutLeadingMention(message.content, botId), message.channel),
    mentionsBot: message.mentions.has(botId, { ignoreEveryone: true, ignoreRoles: true, ignoreRepliedUser: true }),
    replyToId: message.reference?.messageId,
    replyToBot: message.mentions.repliedUser?.id === botId,
    attachments: [...message.attachments.values()].map((a): AttachmentRef => ({
      id: a.id,
      name: a.name,
      url: a.url,
      contentType: a.contentType ?? undefined,
      size: a.size,
      durationSecs: a.duration ?? undefined,
    })),
    authorVoiceChannelId: member?.voice?.channelId ?? null,
    flags: message.flags.bitfield,
    createdAt: message.createdAt,
  };
}

/** The pattern of a leading mention of the bot (one bot per process: built once, not per message). */
let leading: { botId: string; pattern: RegExp } | null = null;

/** "<@bot> hello" is addressed to Eos: the prompt and datasets only need "hello". */
function withoutLeadingMention(content: string, botId: string): string {
  if (!content.includes('<@')) return content;
  if (leading?.botId !== botId) leading = { botId, pattern: new RegExp(`^\\s*<@!?${botId}>[,:]?\\s*`) };
  return content.replace(leading.pattern, '');
}

export function isGuildAdmin(perms: { has(p: bigint): boolean } | null | undefined): boolean {
  if (!perms) return false;
  return perms.has(PermissionFlagsBits.Administrator) || perms.has(PermissionFlagsBits.ManageGuild);
}

const STYLES = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
} as const;

/** Eos's OutgoingMessage as discord.js send options. Mentions: users only, never @everyone or roles. */
export function toPayload(msg: OutgoingMessage): MessageCreateOptions {
  if (msg.voice) {
    const file = new AttachmentBuilder(msg.voice.data, { name: 'voice-message.ogg' })
      .setDuration(msg.voice.durationSecs)
      .setWaveform(msg.voice.waveform);
    return {
      files: [file],
      flags: MessageFlags.IsVoiceMessage,
      ...(msg.replyTo ? { reply: { messageReference: msg.replyTo, failIfNotExists: false } } : {}),
    };
  }
  const payload: MessageCreateOptions = {
    content: msg.content,
    allowedMentions: { parse: ['users'], repliedUser: true },
  };
  if (msg.embeds?.length) payload.embeds = msg.embeds.map(toEmbed);
  if (msg.files?.length) payload.files = msg.files.map((f) => new AttachmentBuilder(f.data, { name: f.name }));
  if (msg.replyTo) payload.reply = { messageReference: msg.replyTo, failIfNotExists: false };
  if (msg.buttons?.length) {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      msg.buttons.map((b) => {
        const button = new ButtonBuilder().setCustomId(b.customId).setStyle(STYLES[b.style]);
        if (b.label) button.setLabel(b.label);
        if (b.emoji) button.setEmoji(b.emoji);
        return button;
      }),
    );
    payload.components = [row];
  }
  return payload;
}

function toEmbed(e: NonNullable<OutgoingMessage['embeds']>[number]): EmbedBuilder {
  const b = new EmbedBuilder();
  if (e.title) b.setTitle(e.title);
  if (e.description) b.setDescription(e.description);
  if (e.fields?.length) b.addFields(e.fields.map((f) => ({ name: f.name, value: f.value, inline: f.inline ?? false })));
  if (e.footer) b.setFooter({ text: e.footer });
  if (e.color !== undefined) b.setColor(e.color);
  return b;
}
