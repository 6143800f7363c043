import { Client, GatewayIntentBits, Options, Partials, type Snowflake } from 'discord.js';

/**
 * The caches Eos keeps. discord.js keeps 200 messages per channel by default (about 100 MiB at 1,000 busy
 * channels); Eos never reads a message from that cache: it keeps its own bounded histories, backfills through
 * REST, edits and reacts by ID, and reactions/buttons on old messages arrive as partials (Partials.Message,
 * Partials.Reaction). So messages, reactions, presences, emojis, stickers, invites, scheduled events, stage
 * instances, automod rules, bans and thread members are not cached. Kept: guilds, channels, threads, roles, voice states
 * (voice), and members/users bounded (message.member comes from the member cache: roles and admin checks).
 * Messages: a few per channel (RECENT_MESSAGES). discord.js's MessageCreate action drops a MESSAGE_CREATE whose
 * message is already cached; that is what keeps a message replayed after a gateway RESUME from being answered
 * twice (with no message cache at all, tests/faults/gateway.test.ts saw two replies to one message).
 */
/** Messages kept per channel: enough to recognise the ones a RESUME replays (1/8 of discord.js's default 200). */
const RECENT_MESSAGES = 25;

export function eosCacheSettings(): Parameters<typeof Options.cacheWithLimits>[0] {
  const self = (id: Snowflake, client: Client) => id === client.user?.id;
  return {
    ...Options.DefaultMakeCacheSettings,
    MessageManager: RECENT_MESSAGES,
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
    GuildMessageManager: RECENT_MESSAGES,
    DMMessageManager: RECENT_MESSAGES,
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
