// Reference bot 2, the minimal LLM bot: discord.js + the openai SDK. On a mention it streams a chat completion of
// the message's text and sends the answer as one reply; other messages are ignored. No history, no data, no logs:
// the least a bot doing Eos's job can spend, the baseline for CPU per reply and REST calls per reply.
import { Client, GatewayIntentBits } from 'discord.js';
import OpenAI from 'openai';
import { liftDiscordRestCap, serveChild } from './child-serve.mjs';

async function start(init) {
  if (init.liftRestCap) liftDiscordRestCap();
  if (!init.llm) throw new Error('llm-child needs an LLM endpoint');
  const openai = new OpenAI({ baseURL: init.llm.baseURL, apiKey: init.llm.apiKey });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: init.restBase },
  });
  let seen = 0;
  const answer = async (message) => {
    const stream = await openai.chat.completions.create({
      model: 'bench-model',
      stream: true,
      messages: [{ role: 'user', content: message.content }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    await message.reply(text || '…');
  };
  client.on('messageCreate', (message) => {
    seen++;
    if (message.author.bot || !(client.user && message.mentions.users.has(client.user.id))) return;
    answer(message).catch(() => undefined);
  });
  const ready = new Promise((resolve) => client.once('clientReady', () => resolve()));
  await client.login(init.token);
  await ready;
  return { stop: () => client.destroy(), seen: () => seen };
}

serveChild(start);
