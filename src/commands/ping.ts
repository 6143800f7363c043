import { defineCommand } from '../core/command.js';

export const ping = defineCommand({
  name: 'ping',
  description: 'Ping a user (or check that Eos answers).',
  usage: 'ping [@user]',
  category: 'General',
  options: [{ name: 'user', description: 'Who to ping', type: 'user' }],
  preconditions: [],
  async run(ctx) {
    const target = ctx.args.user as string | undefined;
    if (!target) {
      const started = Date.now();
      const sent = await ctx.reply('Pong!');
      const ms = Date.now() - started;
      await ctx.services.surface.edit(sent.channelId, sent.id, { content: `Pong! (${ms} ms round trip)` }).catch(() => undefined);
      return;
    }
    await ctx.reply(`<@${target}>, ${ctx.user.displayName} is pinging you! 🏓`);
  },
});
