import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { archiveDatasets, replyWithArchive } from '../training/archive-datasets.js';

export const archive = defineCommand({
  name: 'archive',
  description: 'Zip a dataset (default: the active one) or all of them into archives/ and upload it.',
  usage: 'archive [name|all]',
  category: 'Training',
  options: [{ name: 'name', description: 'Dataset name, or "all"', type: 'string' }],
  preconditions: ['AdminOnly'],
  async run(ctx) {
    const { datasets } = ctx.services;
    const wanted = (ctx.args.name as string | undefined) ?? datasets.activeName();
    const all = (await datasets.list()).map((m) => m.name);
    const names = wanted.toLowerCase() === 'all' ? all : [wanted];
    if (names.length === 0) throw new UserError('NoDatasets', 'There are no datasets to archive yet.');
    if (!all.includes(names[0]!)) {
      const shown = wanted.length > 64 ? `${wanted.slice(0, 64)}…` : wanted;
      throw new UserError('DatasetNotFound', `No dataset named \`${shown}\`. See \`${ctx.prefix}datasets\`.`);
    }
    const result = await archiveDatasets(ctx, names);
    await replyWithArchive(ctx, result, names.length > 1 ? `${names.length} datasets` : `**${names[0]}**`);
  },
});
