import { defineCommand } from '../core/command.js';
import { formatShardAnswers, formatUptime } from '../shard/types.js';

/** `!shards`: status of every shard (servers, ping, uptime, memory), the same from whichever shard answers. */
export const shards = defineCommand({
  name: 'shards',
  description: 'Shard status: servers, ping, uptime and memory of every shard (bot owner).',
  usage: 'shards',
  category: 'Admin',
  options: [],
  preconditions: ['OwnerOnly'],
  async run(ctx) {
    const control = ctx.services.shards;
    if (!control) {
      const rss = Math.round(process.memoryUsage().rss / 1048576);
      await ctx.reply(
        `Not sharded: one process, up ${formatUptime(Date.now() - ctx.services.startedAt.getTime())}, RSS ${rss} MB. Set EOS_SHARDS to shard.`,
      );
      return;
    }
    const answers = await control.status();
    await ctx.reply(`This is shard ${control.me.id}.\n${formatShardAnswers(answers, control.me.count)}`.slice(0, 1900));
  },
});
