import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';

export const say = defineCommand({
  name: 'say',
  description: 'Speak a text in the voice channel I joined.',
  usage: 'say <text>',
  category: 'Voice',
  options: [{ name: 'text', description: 'What to say', type: 'string', required: true, rest: true }],
  preconditions: ['GuildOnly'],
  async run(ctx) {
    const voice = ctx.services.voice;
    if (!voice?.get(ctx.guildId!)) throw new UserError('NotInVoice', `I'm not in a voice channel here. Use \`${ctx.prefix}join\` first.`);
    const text = (ctx.args.text as string).slice(0, 1000);
    const played = await voice.say(ctx.guildId!, text);
    await ctx.reply(played ? '🔊 Said it.' : "I couldn't say that (I was interrupted or speech failed).");
  },
});
