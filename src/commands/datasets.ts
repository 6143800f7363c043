import { defineCommand } from '../core/command.js';

export const datasets = defineCommand({
  name: 'datasets',
  description: 'List the datasets with their record counts.',
  usage: 'datasets',
  category: 'Training',
  options: [],
  preconditions: [],
  async run(ctx) {
    const store = ctx.services.datasets;
    const all = await store.list();
    const active = store.activeName();
    if (all.length === 0) {
      await ctx.reply('No datasets yet.');
      return;
    }
    const lines = all.map((m) => {
      const c = m.counts;
      const mark = m.name === active ? ' (active)' : '';
      return `**${m.name}**${mark}: ${c.positive} positive, ${c.negative} negative, ${c.preference} preference pairs`;
    });
    await ctx.reply(lines.join('\n').slice(0, 1900));
  },
});
