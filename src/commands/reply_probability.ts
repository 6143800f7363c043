import { channelSettingCommand } from '../core/channel-setting.js';

export const replyProbability = channelSettingCommand({
  name: 'reply_probability',
  key: 'replyProbability',
  label: 'Reply probability',
  description: 'Show or set how often Eos joins in unprompted in this channel.',
  min: 0,
  max: 1,
  fallback: (ctx) => ctx.services.config.bot.conversation.replyProbability,
});
