import { Events, Routes, type Client } from 'discord.js';
import type { Logger } from 'pino';
import type { Router } from '../core/router.js';
import type { CommandDefinition } from '../core/command.js';
import type { BehaviourConfig } from '../config.js';
import { startPresenceRotation } from '../core/presence.js';
import { slashCommands, toSlashInvocation } from './slash.js';
import { contextMenus } from './feedback.js';
import { toIncoming } from './translate.js';
import { resolveCommand } from '../core/lookup.js';
import { isPrivate } from '../core/privileged.js';
import type { DiscordSurface } from './surface.js';

export interface DiscordBotDeps {
  client: Client;
  surface: DiscordSurface;
  router: Router;
  commands: ReadonlyMap<string, CommandDefinition>;
  config: BehaviourConfig;
  log: Logger;
}

export interface RunningBot {
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Wires gateway events to the router and logs in. The client is built by the entry point. */
export function startDiscordBot(deps: DiscordBotDeps, token: string): RunningBot {
  const { client, router, log } = deps;
  let stopPresence = () => undefined as void;
  client.on(Events.MessageCreate, (message) => {
    if (!client.user) return;
    router.handleMessage(toIncoming(message, client.user.id)).catch((err: unknown) => log.error({ err }, 'message handler failed'));
  });
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    const def = resolveCommand(deps.commands, interaction.commandName);
    router
      .handleSlash(toSlashInvocation(interaction, { private: def ? isPrivate(def) : true }))
      .catch((err: unknown) => log.error({ err }, 'interaction handler failed'));
  });
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));
  client.on(Events.ShardDisconnect, (ev, shard) => log.warn({ shard, code: ev.code }, 'gateway disconnected'));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, 'gateway resumed'));
  const ready = new Promise<void>((resolve, reject) => {
    client.login(token).catch((err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    client.once(Events.ClientReady, async (c) => {
      log.info({ user: c.user.username, guilds: c.guilds.cache.size }, 'connected to Discord');
      await registerSlash(deps).catch((err: unknown) => log.error({ err }, 'slash command registration failed'));
      stopPresence = startPresenceRotation(deps.surface, deps.config.presence.rotate, deps.config.presence.intervalSec, () => ({
        guilds: c.guilds.cache.size,
        channels: c.channels.cache.size,
        prefix: deps.config.prefix,
        name: deps.config.name,
      }));
      resolve();
    });
  });
  return {
    ready,
    async stop() {
      stopPresence();
      await client.destroy();
    },
  };
}

async function registerSlash(deps: DiscordBotDeps): Promise<void> {
  const { client, config, commands, log } = deps;
  if (!config.slash.register || !client.application) return;
  const body = [...slashCommands(commands.values()), ...contextMenus()];
  // Raw REST with the API JSON as built: discord.js's commands.set() would turn default_member_permissions into a
  // string, while Discord's OpenAPI description types it as an integer.
  const appId = client.application.id;
  if (config.slash.guildIds.length === 0) await client.rest.put(Routes.applicationCommands(appId), { body });
  else for (const guildId of config.slash.guildIds) await client.rest.put(Routes.applicationGuildCommands(appId, guildId), { body });
  log.info({ count: body.length, scope: config.slash.guildIds.length ? 'guild' : 'global' }, 'slash commands registered');
}
