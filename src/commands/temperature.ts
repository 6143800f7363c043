import { channelSettingCommand } from '../core/channel-setting.js';

export const temperature = channelSettingCommand({
  name: 'temperature',
  key: 'temperature',
  label: 'Temperature',
  description: 'Show or set the LLM temperature for this channel.',
  min: 0,
  max: 2,
  fallback: (ctx) => ctx.services.config.bot.conversation.temperature,
});
