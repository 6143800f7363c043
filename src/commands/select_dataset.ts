import { defineCommand } from '../core/command.js';
import { archiveDatasets, recordCount } from '../training/archive-datasets.js';
import { checkDatasetName } from '../datasets/store.js';

export const selectDataset = defineCommand({
  name: 'select_dataset',
  description: 'Make a dataset active for training and capture (created if new); the previous one is archived first.',
  usage: 'select_dataset <name> [positive|negative]',
  category: 'Training',
  options: [
    { name: 'name', description: 'Dataset name (letters, digits, - and _)', type: 'string', required: true },
    { name: 'kind', description: 'Where `train <text>` goes by default', type: 'string', choices: ['positive', 'negative'] },
  ],
  preconditions: ['AdminOnly', 'SharedData'],
  async run(ctx) {
    const { datasets, state } = ctx.services;
    const requested = ctx.args.name as string;
    const name = (await datasets.find(requested)) ?? checkDatasetName(requested);
    const previous = datasets.activeName();
    const kind = ctx.args.kind as 'positive' | 'negative' | undefined;
    let note = '';
    const before = previous !== name && (await datasets.exists(previous)) ? await datasets.manifest(previous) : undefined;
    if (before && recordCount(before) > 0) {
      const result = await archiveDatasets(ctx, [previous]);
      note = ` The previous dataset **${previous}** was archived first.`;
      ctx.log.info({ previous, archive: result.path }, 'previous dataset archived');
    }
    const created = !(await datasets.exists(name));
    await datasets.ensure(name);
    await datasets.setActive(name);
    if (kind) await state.setTraining({ trainKind: kind });
    const k = kind ?? state.training().trainKind ?? 'positive';
    await ctx.reply(`**${name}** is now the active dataset${created ? ' (new)' : ''}; \`train <text>\` adds ${k} examples.${note}`);
  },
});
