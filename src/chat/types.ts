/**
 * The platform-neutral chat model of Eos. The Discord adapter (src/discord) and the console
 * adapter (src/console) translate to and from these types; everything above them
 * (router, commands, conversation) only sees these.
 */
export interface Author {
  id: string;
  username: string;
  /** Nickname in the guild, else global name, else username. */
  displayName: string;
  bot: boolean;
}

export interface AttachmentRef {
  id: string;
  name: string;
  url: string;
  contentType?: string;
  size: number;
  durationSecs?: number;
}

export interface IncomingMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  guildName?: string;
  channelName?: string;
  isDM: boolean;
  author: Author;
  /** Role IDs of the author in the guild (empty in DMs). */
  roleIds: string[];
  /** Whether the author has the Administrator or Manage Guild permission in this guild. */
  authorIsGuildAdmin: boolean;
  /** Raw content, mentions as <@id>. */
  content: string;
  /** Content with user/role/channel mentions replaced by names (safe for prompts and datasets). */
  cleanContent: string;
  mentionsBot: boolean;
  /** ID of the message this one replies to, if any. */
  replyToId?: string;
  /** True when it replies to a message the bot wrote. */
  replyToBot: boolean;
  attachments: AttachmentRef[];
  /** Voice channel the author is in (same guild), if known. */
  authorVoiceChannelId?: string | null;
  /** Message flags bit field (e.g. IS_VOICE_MESSAGE = 8192). */
  flags?: number;
  /** Set when the text was transcribed from a voice message or an audio attachment. */
  fromVoice?: boolean;
  createdAt: Date;
}

export interface EmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface Embed {
  title?: string;
  description?: string;
  fields?: EmbedField[];
  footer?: string;
  color?: number;
}

export interface OutgoingFile {
  name: string;
  data: Buffer;
  contentType?: string;
}

export interface ButtonSpec {
  customId: string;
  label?: string;
  emoji?: string;
  style: 'primary' | 'secondary' | 'success' | 'danger';
}

export interface OutgoingMessage {
  content?: string;
  embeds?: Embed[];
  files?: OutgoingFile[];
  /** Reply to this message id (in the same channel). */
  replyTo?: string;
  /** One row of buttons. */
  buttons?: ButtonSpec[];
  /** Only visible to the invoking user where the platform allows it (slash commands). */
  ephemeral?: boolean;
  /**
   * A command reply only its author may see (e.g. it names other servers): typed in a server channel it goes
   * by DM with a notice in the channel; a slash reply is ephemeral; in a DM it is answered there.
   */
  private?: boolean;
  /** A voice message (Ogg Opus): sent alone, without content. */
  voice?: { data: Buffer; durationSecs: number; waveform: string };
}

export interface SentMessage {
  id: string;
  channelId: string;
}

/** What Eos needs from a chat platform. */
export interface ChatSurface {
  readonly kind: 'discord' | 'console';
  /** False where a sent message cannot be edited in place (the console): replies are then sent once, complete. */
  readonly supportsEdits: boolean;
  botUser(): { id: string; username: string };
  send(channelId: string, msg: OutgoingMessage): Promise<SentMessage>;
  edit(channelId: string, messageId: string, msg: OutgoingMessage): Promise<void>;
  typing(channelId: string): Promise<void>;
  react(channelId: string, messageId: string, emoji: string): Promise<void>;
  /** Most recent messages first-to-last (oldest first), excluding `before` itself. */
  fetchRecent(channelId: string, limit: number, before?: string): Promise<IncomingMessage[]>;
  setPresence(text: string): void;
  /** The server a channel belongs to: null for DMs, undefined when unknown (optional: the console has none). */
  guildOf?(channelId: string): Promise<string | null | undefined>;
  /** A direct message to a user (optional: where the platform has DMs). */
  sendDM?(userId: string, msg: OutgoingMessage): Promise<SentMessage>;
}
