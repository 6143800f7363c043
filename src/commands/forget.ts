import { defineCommand } from '../core/command.js';
import { requirePrivacy } from '../privacy/consent.js';
import { UserError } from '../core/errors.js';

export const forget = defineCommand({
  name: 'forget',
  description: 'Remove everything you contributed in this server (datasets, logs, candidates, feedback).',
  usage: 'forget me',
  category: 'General',
  options: [{ name: 'who', description: 'Type "me"', type: 'string', required: true, choices: ['me'] }],
  preconditions: [],
  private: true,
  audit: true,
  async run(ctx) {
    const privacy = requirePrivacy(ctx.services);
    if (String(ctx.args.who).toLowerCase() !== 'me') throw new UserError('ForgetWho', `Use \`${ctx.prefix}forget me\`.`);
    const r = await privacy.forget(ctx.guildId, ctx.user.id);
    const where = ctx.guildId ? 'in this server' : 'in DMs';
    const shared =
      r.shared === 'removed'
        ? ' Older shared files (from before sharding): removed there too.'
        : r.shared === 'pending'
          ? ' Older shared files (from before sharding): hidden now; the main shard (0) did not answer, it removes them at its next start.'
          : '';
    await ctx.reply(
      (r.lines === 0
        ? `I found nothing you contributed ${where} that is still stored.`
        : `Done: removed ${r.lines} stored line(s) holding what you wrote ${where} (from ${r.files} file(s)).`) + shared,
    );
  },
});
