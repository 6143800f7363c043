import {
  ApplicationCommandOptionType,
  MessageFlags,
  PermissionFlagsBits,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type APIApplicationCommandOption,
} from 'discord.js';
import type { CommandDefinition, CommandOption, ParsedArgs } from '../core/command.js';
import type { SlashInvocation } from '../core/router.js';
import type { AttachmentRef, OutgoingMessage, SentMessage } from '../chat/types.js';
import { isGuildAdmin, toPayload } from './translate.js';
import { isPrivileged } from '../core/privileged.js';

const TYPES: Record<CommandOption['type'], ApplicationCommandOptionType> = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
  boolean: ApplicationCommandOptionType.Boolean,
  user: ApplicationCommandOptionType.User,
  channel: ApplicationCommandOptionType.Channel,
  attachment: ApplicationCommandOptionType.Attachment,
};

/** The slash form of a command definition (same definition as the prefix form). */
export function toSlashJson(def: CommandDefinition): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const options = [...def.options]
    .sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false))
    .map((o) => {
      const option: Record<string, unknown> = {
        type: TYPES[o.type],
        name: o.name,
        description: o.description.slice(0, 100),
        required: o.required ?? false,
      };
      if (o.choices) option.choices = o.choices.map((c) => ({ name: c, value: c }));
      if (o.min !== undefined && (o.type === 'integer' || o.type === 'number')) option.min_value = o.min;
      if (o.max !== undefined && (o.type === 'integer' || o.type === 'number')) option.max_value = o.max;
      return option as unknown as APIApplicationCommandOption;
    });
  const json: RESTPostAPIChatInputApplicationCommandsJSONBody = { name: def.name, description: def.description.slice(0, 100), options };
  // Admin commands are hidden from members (Manage Server); server admins can still grant them per role in Discord.
  // Discord's OpenAPI spec types the field as an integer (the permission bit set); discord.js passes it through.
  if (isPrivileged(def))
    (json as { default_member_permissions?: unknown }).default_member_permissions = Number(PermissionFlagsBits.ManageGuild);
  return json;
}

export function slashCommands(commands: Iterable<CommandDefinition>): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [...commands].filter((c) => c.slash !== false).map(toSlashJson);
}

const DEFER_AFTER_MS = 2_000;

/** A chat-input interaction as the router's SlashInvocation; replies defer automatically after 2 s. */
export function toSlashInvocation(interaction: ChatInputCommandInteraction, opts: { private?: boolean } = {}): SlashInvocation {
  const args: ParsedArgs = {};
  const attachments: AttachmentRef[] = [];
  for (const o of interaction.options.data) {
    if (o.attachment) {
      const a = o.attachment;
      attachments.push({ id: a.id, name: a.name, url: a.url, contentType: a.contentType ?? undefined, size: a.size });
    } else if (o.value !== undefined) args[o.name] = o.value;
  }
  const member = interaction.inCachedGuild() ? interaction.member : null;
  const timer = setTimeout(() => {
    const flags = opts.private ? MessageFlags.Ephemeral : undefined;
    if (!interaction.replied && !interaction.deferred) interaction.deferReply({ flags }).catch(() => undefined);
  }, DEFER_AFTER_MS);
  const reply = async (msg: OutgoingMessage): Promise<SentMessage> => {
    clearTimeout(timer);
    const { content, embeds, files, components, allowedMentions } = toPayload(msg);
    const base = { content, embeds, files, components, allowedMentions };
    const flags = msg.ephemeral ? MessageFlags.Ephemeral : undefined;
    let message;
    if (interaction.deferred && !interaction.replied && msg.ephemeral && !interaction.ephemeral) {
      // Deferred in public (the command was not known to be private), but this answer is for its author only.
      await interaction.editReply({ content: '🔒 Only you can see the answer.', allowedMentions: { parse: [] } });
      message = await interaction.followUp({ ...base, flags });
    } else if (interaction.deferred && !interaction.replied) message = await interaction.editReply(base);
    else if (interaction.replied) message = await interaction.followUp({ ...base, flags });
    else {
      await interaction.reply({ ...base, flags });
      message = await interaction.fetchReply();
    }
    return { id: message.id, channelId: message.channelId };
  };
  return {
    name: interaction.commandName,
    args,
    user: {
      id: interaction.user.id,
      username: interaction.user.username,
      displayName: member?.displayName ?? interaction.user.globalName ?? interaction.user.username,
      bot: interaction.user.bot,
    },
    roleIds: member ? [...member.roles.cache.keys()].filter((id) => id !== interaction.guildId) : [],
    guildAdmin: isGuildAdmin(interaction.memberPermissions),
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    isDM: !interaction.inGuild(),
    authorVoiceChannelId: member?.voice?.channelId ?? null,
    attachments,
    reply,
  };
}
