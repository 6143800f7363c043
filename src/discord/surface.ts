import { ActivityType, type Client, type Message, type SendableChannels } from 'discord.js';
import type { ChatSurface, IncomingMessage, OutgoingMessage, SentMessage } from '../chat/types.js';
import { toIncoming, toPayload } from './translate.js';

/** ChatSurface over a logged-in discord.js Client. */
export class DiscordSurface implements ChatSurface {
  readonly kind = 'discord' as const;
  readonly supportsEdits = true;

  constructor(private readonly client: Client) {}

  botUser(): { id: string; username: string } {
    const user = this.client.user;
    if (!user) throw new Error('Discord client is not logged in');
    return { id: user.id, username: user.username };
  }

  async send(channelId: string, msg: OutgoingMessage): Promise<SentMessage> {
    const channel = await this.channel(channelId);
    const sent = await channel.send(toPayload(msg));
    return { id: sent.id, channelId: sent.channelId };
  }

  async edit(channelId: string, messageId: string, msg: OutgoingMessage): Promise<void> {
    const channel = await this.channel(channelId);
    const { content, embeds, components, allowedMentions } = toPayload(msg);
    await channel.messages.edit(messageId, { content, embeds, components, allowedMentions });
  }

  async typing(channelId: string): Promise<void> {
    await (await this.channel(channelId)).sendTyping();
  }

  async react(channelId: string, messageId: string, emoji: string): Promise<void> {
    await (await this.channel(channelId)).messages.react(messageId, emoji);
  }

  async fetchRecent(channelId: string, limit: number, before?: string): Promise<IncomingMessage[]> {
    const channel = await this.channel(channelId);
    const page = await channel.messages.fetch({ limit: Math.min(Math.max(limit, 1), 100), before });
    const botId = this.botUser().id;
    return [...page.values()].sort((a: Message, b: Message) => a.createdTimestamp - b.createdTimestamp).map((m) => toIncoming(m, botId));
  }

  /** The server a channel belongs to (null for DMs; undefined when the channel cannot be found). */
  async guildOf(channelId: string): Promise<string | null | undefined> {
    const channel = this.client.channels.cache.get(channelId) ?? (await this.client.channels.fetch(channelId).catch(() => null));
    if (!channel) return undefined;
    return 'guildId' in channel && channel.guildId ? channel.guildId : null;
  }

  /** Sends a direct message to a user (private admin outputs such as files). */
  async sendDM(userId: string, msg: OutgoingMessage): Promise<SentMessage> {
    const user = await this.client.users.fetch(userId);
    const sent = await user.send(toPayload(msg));
    return { id: sent.id, channelId: sent.channelId };
  }

  setPresence(text: string): void {
    this.client.user?.setPresence({ activities: [{ name: text, state: text, type: ActivityType.Custom }], status: 'online' });
  }

  private async channel(channelId: string): Promise<SendableChannels> {
    // allowUnknownGuild: sharded, a channel of a server on another shard (shard 0 edits the owners' fine-tune progress
    // message wherever it was started); without it discord.js returns null for a guild it has not cached.
    const channel = this.client.channels.cache.get(channelId) ?? (await this.client.channels.fetch(channelId, { allowUnknownGuild: true }));
    if (!channel || !channel.isSendable()) throw new Error(`channel ${channelId} is not a text channel I can use`);
    return channel;
  }
}
