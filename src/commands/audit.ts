import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';

export const audit = defineCommand({
  name: 'audit',
  description: "Show this server's last privileged actions (who, what, when).",
  usage: 'audit [count]',
  category: 'Admin',
  options: [{ name: 'count', description: 'How many (default 15)', type: 'integer', min: 1, max: 50 }],
  preconditions: ['AdminOnly'],
  audit: false,
  async run(ctx) {
    const log = ctx.services.audit;
    if (!log) throw new UserError('NoAudit', 'The audit log is not available here.');
    const entries = await log.recent(ctx.guildId, (ctx.args.count as number | undefined) ?? 15);
    if (entries.length === 0) return void (await ctx.reply('No privileged actions recorded here yet.'));
    const lines = entries.map((e) => `\`${e.at.slice(0, 19).replace('T', ' ')}\` **${e.who}** (${e.whoKey.slice(0, 8)}): ${e.action}`);
    let text = '';
    for (const line of lines.reverse()) {
      if (text.length + line.length + 1 > 1900) break;
      text += `${line}\n`;
    }
    // No pings from the log: mentions in recorded arguments are shown as text.
    await ctx.reply(text.trimEnd().replace(/<(@[!&]?|#)(\d+)>/g, '`$1$2`'));
  },
});
