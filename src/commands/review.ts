import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { approve, choose, pendingItems, reject, type PendingItem } from '../tenancy/review.js';

function preview(record: unknown): string {
  const r = record as {
    messages?: { role: string; content: string }[];
    input?: { messages?: { role: string; content: string }[] };
    preferred_output?: { content: string }[];
  };
  const msgs = r.messages ?? r.input?.messages ?? [];
  const user = [...msgs].reverse().find((m) => m.role === 'user')?.content ?? '';
  const answer = r.preferred_output?.[0]?.content ?? [...msgs].reverse().find((m) => m.role === 'assistant')?.content ?? '';
  const cut = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s).replace(/\s+/g, ' ').replace(/[`*_~|<>@]/g, '');
  return `"${cut(user)}" → "${cut(answer)}"`;
}

function line(it: PendingItem): string {
  const who = it.provenance ? `${it.provenance.who} (${it.provenance.whoKey.slice(0, 8)}), ${it.provenance.source}` : 'unknown';
  return `**${it.n}.** ${it.dataset}/${it.file} by ${who}: ${preview(it.record)}`;
}

export const review = defineCommand({
  name: 'review',
  description: "Review members' contributions before they steer answers and fine-tuning (list, approve, reject, trust).",
  usage: 'review [list] | review approve <n,m-k|all> | review reject <n|all> | review trust on|off',
  category: 'Admin',
  options: [
    { name: 'action', description: 'list, approve, reject or trust', type: 'string', choices: ['list', 'approve', 'reject', 'trust'] },
    { name: 'which', description: 'Numbers (1,3-5), "all", or on/off for trust', type: 'string', rest: true },
  ],
  preconditions: ['GuildOnly', 'AdminOnly'],
  async run(ctx) {
    const tenants = ctx.services.tenants;
    if (!tenants) throw new UserError('NoTenancy', 'Review needs per-server data (config `perServerData`).');
    const tenant = tenants.of(ctx.guildId);
    const action = String(ctx.args.action ?? 'list').toLowerCase();
    const which = String(ctx.args.which ?? '').trim();
    if (action === 'trust') {
      const on = which.toLowerCase();
      if (on !== 'on' && on !== 'off') throw new UserError('BadTrust', `Use \`${ctx.prefix}review trust on\` or \`off\`.`);
      await ctx.services.state.setGuild(ctx.guildId!, { trustMembers: on === 'on' ? true : undefined });
      return void (await ctx.reply(
        on === 'on'
          ? "Members' contributions now apply at once (no review)."
          : "Members' `train` examples and corrections now wait for review.",
      ));
    }
    const items = await pendingItems(tenant.pending);
    if (action === 'list') {
      if (items.length === 0) return void (await ctx.reply('Nothing waits for review.'));
      const shown: string[] = [];
      let size = 0;
      for (const it of items) {
        const l = line(it);
        if (size + l.length > 1700) break;
        shown.push(l);
        size += l.length + 1;
      }
      const more = items.length - shown.length;
      return void (await ctx.reply(
        `${items.length} contribution(s) wait for review:\n${shown.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}\n\`${ctx.prefix}review approve 1,2\` or \`all\`; \`${ctx.prefix}review reject …\``,
      ));
    }
    if (!which) throw new UserError('ReviewWhich', `Say which: \`${ctx.prefix}review ${action} 1,3-5\` or \`all\`.`);
    const { chosen, unknown } = choose(items, which);
    if (chosen.length === 0)
      throw new UserError('ReviewNone', `No pending contribution matches \`${which.slice(0, 40)}\`. See \`${ctx.prefix}review\`.`);
    const note = unknown.length ? ` (not found: ${unknown.slice(0, 5).join(', ')})` : '';
    if (action === 'approve') {
      const n = await approve(tenant.datasets, tenant.pending, chosen);
      return void (await ctx.reply(`Approved ${chosen.length} contribution(s): ${n} record(s) added to this server's datasets${note}.`));
    }
    await reject(tenant.pending, chosen);
    await ctx.reply(`Rejected ${chosen.length} contribution(s)${note}.`);
  },
});
