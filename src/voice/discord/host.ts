/** What the VoiceManager needs from the Discord client, and its discord.js implementation. */
import type { DiscordGatewayAdapterCreator } from '@discordjs/voice';
import type { Client, VoiceState } from 'discord.js';

export interface VoiceHost {
  /** The bot's user id ('' before login). */
  botUserId(): string;
  /** The gateway adapter for @discordjs/voice, undefined when the guild is unknown. */
  adapterCreator(guildId: string): DiscordGatewayAdapterCreator | undefined;
  /** Humans (bots excluded) in a voice channel. */
  humansIn(guildId: string, channelId: string): number;
  isBot(guildId: string, userId: string): boolean;
  /** The voice channel a user is in (null: none or unknown); without it users count as present. */
  channelOf?(guildId: string, userId: string): string | null;
  /** Display name for prompts and transcripts (never the id). */
  displayName(guildId: string, userId: string): Promise<string>;
  /** Calls fn(guildId) after any voice state change in a guild; returns the unsubscribe function. */
  onVoiceStateChange(fn: (guildId: string) => void): () => void;
}

const UNKNOWN_SPEAKER = 'Someone';

export function createClientVoiceHost(client: Client): VoiceHost {
  return {
    botUserId: () => client.user?.id ?? '',
    adapterCreator: (guildId) => client.guilds.cache.get(guildId)?.voiceAdapterCreator,
    humansIn(guildId, channelId) {
      const guild = client.guilds.cache.get(guildId);
      if (!guild) return 0;
      return guild.voiceStates.cache.filter(
        (s) => s.channelId === channelId && !(s.member?.user.bot ?? client.users.cache.get(s.id)?.bot ?? false),
      ).size;
    },
    channelOf(guildId, userId) {
      return client.guilds.cache.get(guildId)?.voiceStates.cache.get(userId)?.channelId ?? null;
    },
    isBot(guildId, userId) {
      const member = client.guilds.cache.get(guildId)?.members.cache.get(userId);
      return member?.user.bot ?? client.users.cache.get(userId)?.bot ?? false;
    },
    async displayName(guildId, userId) {
      const guild = client.guilds.cache.get(guildId);
      const cached = guild?.members.cache.get(userId);
      if (cached) return cached.displayName;
      const fetched = await guild?.members.fetch(userId).catch(() => undefined);
      return fetched?.displayName ?? client.users.cache.get(userId)?.displayName ?? UNKNOWN_SPEAKER;
    },
    onVoiceStateChange(fn) {
      const listener = (_old: VoiceState, next: VoiceState) => fn(next.guild.id);
      client.on('voiceStateUpdate', listener);
      return () => client.off('voiceStateUpdate', listener);
    },
  };
}
