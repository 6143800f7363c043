/** Gateway intents: which dispatches a session receives, and the MESSAGE_CONTENT privilege on message payloads. */

export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildVoiceStates: 1 << 7,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  DirectMessageTyping: 1 << 14,
  MessageContent: 1 << 15,
} as const;

const NAMES = Object.fromEntries(Object.entries(Intent).map(([k, v]) => [v, k])) as Record<number, string>;

type Payload = Record<string, unknown>;

const GUILD_EVENTS = /^(GUILD_(CREATE|UPDATE|DELETE|ROLE_\w+)|CHANNEL_\w+|THREAD_\w+|STAGE_INSTANCE_\w+)$/;

/** The intent a dispatch needs, or 0 when it is always delivered (READY, INTERACTION_CREATE, ...). */
export function intentFor(t: string, d: Payload): number {
  const inGuild = typeof d.guild_id === 'string';
  if (t.startsWith('MESSAGE_REACTION_')) return inGuild ? Intent.GuildMessageReactions : Intent.DirectMessageReactions;
  if (t.startsWith('MESSAGE_')) return inGuild ? Intent.GuildMessages : Intent.DirectMessages;
  if (t === 'TYPING_START') return inGuild ? Intent.GuildMessageTyping : Intent.DirectMessageTyping;
  if (t.startsWith('GUILD_MEMBER_') && t !== 'GUILD_MEMBERS_CHUNK') return Intent.GuildMembers;
  if (t === 'VOICE_STATE_UPDATE') return Intent.GuildVoiceStates;
  if (t === 'PRESENCE_UPDATE') return Intent.GuildPresences;
  if (t === 'CHANNEL_CREATE' && !inGuild) return 0;
  if (GUILD_EVENTS.test(t)) return Intent.Guilds;
  return 0;
}

export function intentName(bit: number): string {
  return NAMES[bit] ?? `intent ${bit}`;
}

function mentionsBot(d: Payload, botId: string): boolean {
  const mentions = Array.isArray(d.mentions) ? (d.mentions as Payload[]) : [];
  if (mentions.some((u) => u.id === botId)) return true;
  const ref = d.referenced_message as Payload | null | undefined;
  return (ref?.author as Payload | undefined)?.id === botId;
}

/**
 * Without MESSAGE_CONTENT, guild messages from others arrive with empty content, embeds, attachments and
 * components, unless they mention the bot or reply to it (DMs are exempt), as on real Discord.
 */
export function applyContentIntent(t: string, d: Payload, intents: number, botId: string): Payload {
  if (t !== 'MESSAGE_CREATE' && t !== 'MESSAGE_UPDATE') return d;
  if ((intents & Intent.MessageContent) !== 0 || typeof d.guild_id !== 'string') return d;
  if ((d.author as Payload | undefined)?.id === botId || mentionsBot(d, botId)) return d;
  const { poll: _poll, ...rest } = d;
  return { ...rest, content: '', embeds: [], attachments: [], components: [] };
}
