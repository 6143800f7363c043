/**
 * Child process running a bare discord.js bot: a plain Client that answers messages with message.reply('ok')
 * (every message not from a bot, or only those mentioning it). The baseline for the Eos text path.
 */
import { Client, GatewayIntentBits, type Message } from 'discord.js';
import { serveChild, type RunningBot } from './child-serve.js';
import { liftDiscordRestCap, type ChildInit } from './ipc.js';

async function start(init: ChildInit): Promise<RunningBot> {
  if (init.liftRestCap) await liftDiscordRestCap();
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: init.restBase },
  });
  const onlyMentions = init.replyTo === 'mentions';
  let seen = 0;
  client.on('messageCreate', (message: Message) => {
    seen++;
    if (message.author.bot) return;
    if (onlyMentions && !(client.user && message.mentions.users.has(client.user.id))) return;
    message.reply('ok').catch(() => undefined);
  });
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  await client.login(init.token);
  await ready;
  return { stop: () => client.destroy(), seen: () => seen };
}

serveChild(start);
