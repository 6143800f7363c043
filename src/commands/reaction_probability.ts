import { channelSettingCommand } from '../core/channel-setting.js';

export const reactionProbability = channelSettingCommand({
  name: 'reaction_probability',
  key: 'reactionProbability',
  label: 'Reaction probability',
  description: 'Show or set how often Eos reacts with an emoji in this channel.',
  min: 0,
  max: 1,
  fallback: (ctx) => ctx.services.config.bot.conversation.reactionProbability,
});
