import { defineCommand } from '../core/command.js';

export const prefix = defineCommand({
  name: 'prefix',
  description: "Show or set this server's command prefix.",
  usage: 'prefix [new-prefix|reset]',
  category: 'Settings',
  options: [{ name: 'value', description: 'New prefix (1 to 5 characters, no spaces) or "reset"', type: 'string' }],
  preconditions: ['GuildOnly', 'AdminOnly'],
  async run(ctx) {
    const value = ctx.args.value as string | undefined;
    const guildId = ctx.guildId!;
    if (value === undefined) {
      await ctx.reply(`The prefix here is \`${ctx.prefix}\`.`);
      return;
    }
    if (value.toLowerCase() === 'reset') {
      await ctx.services.state.setGuild(guildId, { prefix: undefined });
      await ctx.reply(`Prefix reset to \`${ctx.services.config.bot.prefix}\`.`);
      return;
    }
    if (!/^\S{1,5}$/.test(value) || value.startsWith('/')) {
      await ctx.reply('A prefix is 1 to 5 characters, without spaces, and not starting with `/`.');
      return;
    }
    await ctx.services.state.setGuild(guildId, { prefix: value });
    await ctx.reply(`Prefix set to \`${value}\`. Try \`${value}help\`.`);
  },
});
