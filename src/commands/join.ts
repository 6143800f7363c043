import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';

export const join = defineCommand({
  name: 'join',
  description: 'Join your voice channel: I listen, answer and speak; transcripts go to this channel.',
  usage: 'join',
  category: 'Voice',
  options: [],
  preconditions: ['GuildOnly', 'InVoice'],
  async run(ctx) {
    const voice = ctx.services.voice;
    if (!voice) throw new UserError('NoVoice', 'Voice is only available on Discord.');
    const channelId = ctx.authorVoiceChannelId!;
    try {
      await voice.join(ctx.guildId!, channelId, ctx.channelId);
    } catch (err) {
      ctx.log.warn({ err }, 'voice join failed');
      throw new UserError('JoinFailed', `I couldn't join <#${channelId}>: check that I can connect and speak there.`);
    }
    await ctx.reply(`Joined <#${channelId}>. I'm listening; transcripts and replies go here. \`${ctx.prefix}leave\` to stop.`);
  },
});
