import { defineCommand, type CommandDefinition } from '../core/command.js';
import type { Embed, EmbedField } from '../chat/types.js';

const ORDER: CommandDefinition['category'][] = ['General', 'Training', 'Voice', 'Settings', 'Admin'];

export function helpEmbed(commands: Iterable<CommandDefinition>, prefix: string, botName: string): Embed {
  const fields: EmbedField[] = [];
  const all = [...commands];
  for (const category of ORDER) {
    const lines: string[] = all.filter((c) => c.category === category).map((c) => `\`${prefix}${c.usage}\` ${c.description}`);
    let chunk: string[] = [];
    const flush = () => {
      if (chunk.length > 0)
        fields.push({ name: fields.some((f) => f.name === category) ? `${category} (more)` : category, value: chunk.join('\n') });
      chunk = [];
    };
    for (const line of lines) {
      if ([...chunk, line].join('\n').length > 1024) flush();
      chunk.push(line.slice(0, 1024));
    }
    flush();
  }
  return {
    title: `${botName} commands`,
    description: `Prefix: \`${prefix}\` (slash commands work too). Mention me, reply to me or DM me to talk.`,
    fields,
    color: 0xf5a623,
  };
}

export const help = defineCommand({
  name: 'help',
  description: 'List every command with its usage.',
  usage: 'help',
  category: 'General',
  options: [],
  preconditions: [],
  async run(ctx) {
    const { commands, config } = ctx.services;
    await ctx.reply({ embeds: [helpEmbed(commands.values(), ctx.prefix, config.bot.name)] });
  },
});
