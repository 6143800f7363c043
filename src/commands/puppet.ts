import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';

export const puppet = defineCommand({
  name: 'puppet',
  description: 'Make Eos say something in a channel of this server.',
  usage: 'puppet #channel <text>',
  category: 'Admin',
  options: [
    { name: 'channel', description: 'Where to speak', type: 'channel', required: true },
    { name: 'text', description: 'What to say', type: 'string', required: true, rest: true },
  ],
  preconditions: ['AdminOnly'],
  async run(ctx) {
    const channelId = ctx.args.channel as string;
    const text = (ctx.args.text as string).slice(0, 2000);
    // Server admins speak only in their own server's channels; bot owners anywhere (DMs included).
    if (!ctx.isOwner) {
      const guild = await ctx.services.surface.guildOf?.(channelId);
      if (!ctx.guildId || guild !== ctx.guildId) {
        throw new UserError('OtherServer', 'I can only speak in channels of this server.');
      }
    }
    try {
      await ctx.services.surface.send(channelId, { content: text });
    } catch (err) {
      ctx.log.warn({ err }, 'puppet send failed');
      throw new UserError('PuppetFailed', `I couldn't post in <#${channelId}>: check that the channel exists and I can write there.`);
    }
    await ctx.reply(`Sent to <#${channelId}>.`);
  },
});
