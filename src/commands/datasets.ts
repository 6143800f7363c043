import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';
import type { DatasetManifest } from '../datasets/types.js';
import { serverDatasetsReply } from '../shard/owner-commands.js';

/** Room left under Discord's 2000 characters for the header and the "…and N more" line. */
const BUDGET = 1700;

function line(m: DatasetManifest, active: string): string {
  const c = m.counts;
  const mark = m.name === active ? ' (active)' : '';
  return `**${m.name}**${mark}: ${c.positive} positive, ${c.negative} negative, ${c.preference} preference pairs`;
}

/** The active dataset first, then the others by name, cut into pages of at most BUDGET characters. */
export function datasetPages(all: readonly DatasetManifest[], active: string): string[][] {
  const first = all.find((m) => m.name === active);
  const ordered = first ? [first, ...all.filter((m) => m !== first)] : [...all];
  const pages: string[][] = [];
  let page: string[] = [];
  let size = 0;
  for (const m of ordered) {
    const text = line(m, active);
    if (page.length > 0 && size + text.length + 1 > BUDGET) {
      pages.push(page);
      page = first ? [line(first, active)] : [];
      size = page[0]?.length ?? 0;
    }
    page.push(text);
    size += text.length + 1;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

export const datasets = defineCommand({
  name: 'datasets',
  description: 'List the datasets with their record counts (the active one always first).',
  usage: 'datasets [page|servers]',
  category: 'Training',
  options: [
    {
      name: 'page',
      description: 'Page number when there are many datasets, or "servers": every server\'s datasets (bot owner)',
      type: 'string',
    },
  ],
  preconditions: [],
  async run(ctx) {
    const raw = ((ctx.args.page as string | undefined) ?? '').trim();
    if (raw.toLowerCase() === 'servers') return serverDatasetsReply(ctx);
    const store = ctx.services.datasets;
    const all = await store.list();
    const active = store.activeName();
    if (all.length === 0) {
      await ctx.reply('No datasets yet.');
      return;
    }
    const pages = datasetPages(all, active);
    const wanted = raw === '' ? 1 : Number(raw);
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > pages.length) {
      throw new UserError('NoSuchPage', `There ${pages.length === 1 ? 'is 1 page' : `are ${pages.length} pages`} of datasets.`);
    }
    const page = pages[wanted - 1] ?? [];
    const shown = pages.slice(0, wanted).reduce((n, p, i) => n + p.length - (i > 0 && all.some((m) => m.name === active) ? 1 : 0), 0);
    const more = all.length - shown;
    const header = pages.length > 1 ? `Datasets (page ${wanted} of ${pages.length}, ${all.length} in all):\n` : '';
    const footer = more > 0 ? `\n…and ${more} more: \`${ctx.prefix}datasets ${wanted + 1}\`` : '';
    await ctx.reply(`${header}${page.join('\n')}${footer}`);
  },
});
