import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { splitMessage } from '../conversation/split.js';

export const instruction = defineCommand({
  name: 'instruction',
  description: 'Show INSTRUCTION.md, or instructions/<name>.md.',
  usage: 'instruction [name]',
  category: 'General',
  options: [{ name: 'name', description: 'Instruction name (file in instructions/)', type: 'string' }],
  preconditions: [],
  async run(ctx) {
    const lib = ctx.services.instructions;
    const name = ctx.args.name as string | undefined;
    const text = name ? await lib.get(name) : await lib.main().catch(() => null);
    if (text === null) {
      const known = await lib.list();
      const list = known.length > 0 ? ` Available: ${known.map((k) => `\`${k}\``).join(', ')}.` : '';
      const shown = name && name.length > 40 ? `${name.slice(0, 40)}…` : name;
      throw new UserError('UnknownInstruction', name ? `No instruction named \`${shown}\`.${list}` : 'INSTRUCTION.md is missing.');
    }
    const parts = splitMessage(text.trim() || '(empty)');
    for (const part of parts) await ctx.reply(part);
  },
});
