// Reference bot 1, the bare discord.js bot: a plain Client that answers messages with message.reply('ok')
// (every message not from a bot, or only those mentioning it). The baseline for observed messages and memory.
import { Client, GatewayIntentBits } from 'discord.js';
import { liftDiscordRestCap, serveChild } from './child-serve.mjs';

async function start(init) {
  if (init.liftRestCap) liftDiscordRestCap();
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: init.restBase },
  });
  const onlyMentions = init.replyTo === 'mentions';
  let seen = 0;
  client.on('messageCreate', (message) => {
    seen++;
    if (message.author.bot) return;
    if (onlyMentions && !(client.user && message.mentions.users.has(client.user.id))) return;
    message.reply('ok').catch(() => undefined);
  });
  const ready = new Promise((resolve) => client.once('clientReady', () => resolve()));
  await client.login(init.token);
  await ready;
  return { stop: () => client.destroy(), seen: () => seen };
}

serveChild(start);
