import { defineCommand } from '../core/command.js';

export const leave = defineCommand({
  name: 'leave',
  description: 'Leave the voice channel.',
  usage: 'leave',
  category: 'Voice',
  options: [],
  preconditions: ['GuildOnly'],
  async run(ctx) {
    const left = (await ctx.services.voice?.leave(ctx.guildId!)) ?? false;
    await ctx.reply(left ? 'Left the voice channel.' : "I'm not in a voice channel here.");
  },
});
