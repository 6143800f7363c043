import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { archiveDatasets, recordCount, replyWithArchive } from '../training/archive-datasets.js';
import { serverArchivesReply } from '../shard/owner-commands.js';

export const archive = defineCommand({
  name: 'archive',
  description: 'Zip a dataset (default: the active one) or all of them into archives/ and upload it.',
  usage: 'archive [name|all|servers]',
  category: 'Training',
  options: [{ name: 'name', description: 'Dataset name, "all", or "servers" (every server\'s datasets, bot owner)', type: 'string' }],
  preconditions: ['AdminOnly', 'SharedData'],
  async run(ctx) {
    const { datasets } = ctx.services;
    const wanted = (ctx.args.name as string | undefined) ?? datasets.activeName();
    if (wanted.toLowerCase() === 'servers') return serverArchivesReply(ctx);
    const manifests = await datasets.list();
    const everything = wanted.toLowerCase() === 'all';
    const found = everything ? undefined : manifests.find((m) => m.name.toLowerCase() === wanted.toLowerCase());
    if (!everything && !found) {
      const shown = wanted.length > 64 ? `${wanted.slice(0, 64)}…` : wanted;
      throw new UserError('DatasetNotFound', `No dataset named \`${shown}\`. See \`${ctx.prefix}datasets\`.`);
    }
    // "all" is reserved (no dataset can be named so); empty datasets are never zipped.
    const names = (everything ? manifests : [found!]).filter((m) => recordCount(m) > 0).map((m) => m.name);
    if (names.length === 0) {
      throw new UserError(
        'EmptyDataset',
        everything
          ? 'Every dataset is empty: there is nothing to archive yet.'
          : `**${found!.name}** is empty: there is nothing to archive yet.`,
      );
    }
    const result = await archiveDatasets(ctx, names);
    await replyWithArchive(ctx, result, names.length > 1 ? `${names.length} datasets` : `**${names[0]}**`);
  },
});
