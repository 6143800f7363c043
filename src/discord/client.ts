import { Client, GatewayIntentBits, Options, Partials, type Snowflake } from 'discord.js';

/**
 * The caches Eos keeps. discord.js keeps 200 messages per channel by default (about 100 MiB at 1,000 busy
 * channels); Eos never reads a message from that cache: it keeps its own bounded histories, backfills through
 * REST, edits and reacts by ID, and reactions/buttons on old messages arrive as partials (Partials.Message,
 * Partials.Reaction). So messages, reactions, presences, emojis, stickers, invites, scheduled events, stage
 * instances, automod rules, bans and thread members are not cached. Kept: guilds, channels, threads, roles, voice states
 * (voice), and members/users bounded (message.member comes from the member cache: roles and admin checks).
 */
export function eosCacheSettings(): Parameters<typeof Options.cacheWithLimits>[0] {
  const self = (id: Snowflake, client: Client) => id === client.user?.id;
  return {
    ...Options.DefaultMakeCacheSettings,
    MessageManager: 0,
    ReactionManager: 0,
    ReactionUserManager: 0,
    PresenceManager: 0,
    GuildEmojiManager: 0,
    BaseGuildEmojiManager: 0,
    GuildStickerManager: 0,
    GuildInviteManager: 0,
    GuildScheduledEventManager: 0,
    StageInstanceManager: 0,
    AutoModerationRuleManager: 0,
    GuildBanManager: 0,
    ThreadMemberManager: 0,
    GuildMessageManager: 0,
    DMMessageManager: 0,
    GuildMemberManager: { maxSize: 2_000, keepOverLimit: (m) => self(m.id, m.client) },
    UserManager: { maxSize: 5_000, keepOverLimit: (u) => self(u.id, u.client) },
  };
}

/** The discord.js Client Eos needs. `apiUrl` lets operators (and tests) point REST at a proxy or emulator. */
export function createDiscordClient(opts: { apiUrl: string }): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.DirectMessageReactions,
      GatewayIntentBits.GuildVoiceStates,
    ],
    partials: [Partials.Channel, Partials.Message, Partials.Reaction],
    makeCache: Options.cacheWithLimits(eosCacheSettings()),
    rest: { api: opts.apiUrl, timeout: 15_000, retries: 3 },
  });
}
