import { Client, GatewayIntentBits, Partials } from 'discord.js';

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
    rest: { api: opts.apiUrl, timeout: 15_000, retries: 3 },
  });
}
