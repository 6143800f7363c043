import { defineCommand } from '../core/command.js';

export const hi = defineCommand({
  name: 'hi',
  description: 'Say hello to Eos.',
  usage: 'hi',
  category: 'General',
  options: [],
  preconditions: [],
  async run(ctx) {
    const name = ctx.services.config.bot.name;
    await ctx.reply(`Hi ${ctx.user.displayName}! I'm ${name}. Talk to me, or type \`${ctx.prefix}help\` to see what I can do.`);
  },
});
