import { defineCommand, type CommandDefinition } from './command.js';

type NumericKey = 'temperature' | 'replyProbability' | 'reactionProbability';

interface Spec {
  name: string;
  key: NumericKey;
  label: string;
  description: string;
  min: number;
  max: number;
  /** The value in force when the channel has none. */
  fallback(ctx: Parameters<CommandDefinition['run']>[0]): number;
}

/**
 * Builds an admin command that shows or sets one numeric per-channel setting (persisted),
 * e.g. `!temperature 0.4`, `!temperature reset`.
 */
export function channelSettingCommand(spec: Spec): CommandDefinition {
  return defineCommand({
    name: spec.name,
    description: spec.description,
    usage: `${spec.name} [${spec.min}-${spec.max}|reset]`,
    category: 'Settings',
    options: [{ name: 'value', description: `New ${spec.label} (${spec.min} to ${spec.max}) or "reset"`, type: 'string' }],
    preconditions: ['AdminOnly'],
    async run(ctx) {
      const raw = ctx.args.value as string | undefined;
      const current = ctx.services.state.channel(ctx.channelId)[spec.key];
      if (raw === undefined) {
        const shown = current ?? spec.fallback(ctx);
        await ctx.reply(`${spec.label} in this channel: **${shown}**${current === undefined ? ' (default)' : ''}.`);
        return;
      }
      if (raw.toLowerCase() === 'reset') {
        await ctx.services.state.setChannel(ctx.channelId, { [spec.key]: undefined });
        await ctx.reply(`${spec.label} reset to the default (${spec.fallback(ctx)}).`);
        return;
      }
      const value = Number(raw);
      if (!Number.isFinite(value) || value < spec.min || value > spec.max) {
        await ctx.reply(`${spec.label} must be a number from ${spec.min} to ${spec.max}.`);
        return;
      }
      await ctx.services.state.setChannel(ctx.channelId, { [spec.key]: value });
      await ctx.reply(`${spec.label} in this channel set to **${value}**.`);
    },
  });
}
