import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { resolveConfined } from '../files/confine.js';
import { ATTACHMENT_LIMIT, formatBytes } from '../chat/attachments.js';

export const getfile = defineCommand({
  name: 'getfile',
  description: 'Send a file from datasets/, archives/ or instructions/.',
  usage: 'getfile <path>',
  category: 'Training',
  options: [{ name: 'path', description: 'e.g. datasets/default/positive.jsonl', type: 'string', required: true, rest: true }],
  preconditions: ['AdminOnly', 'SharedData'],
  async run(ctx) {
    const { paths } = ctx.services.config;
    const roots = { datasets: paths.datasets, archives: paths.archives, instructions: paths.instructions };
    const requested = ctx.args.path as string;
    const found = await resolveConfined(roots, requested);
    if (!found.ok) {
      ctx.log.warn({ reason: found.reason }, 'getfile refused');
      throw new UserError('PathRefused', `I can't send that: ${found.reason}. Paths start with datasets/, archives/ or instructions/.`);
    }
    if (found.size > ATTACHMENT_LIMIT) {
      throw new UserError(
        'FileTooLarge',
        `That file is ${formatBytes(found.size)}, over Discord's ${formatBytes(ATTACHMENT_LIMIT)} limit.`,
      );
    }
    const name = path.basename(found.path);
    await ctx.reply({ content: `\`${requested}\` (${formatBytes(found.size)})`, files: [{ name, data: await readFile(found.path) }] });
  },
});
