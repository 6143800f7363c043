import { defineCommand } from '../core/command.js';
import { requirePrivacy } from '../privacy/consent.js';

export const optin = defineCommand({
  name: 'optin',
  description: 'Let Eos read your messages again (after optout).',
  usage: 'optin',
  category: 'General',
  options: [],
  preconditions: [],
  private: true,
  async run(ctx) {
    const privacy = requirePrivacy(ctx.services);
    await privacy.setOptedOut(ctx.user.id, false);
    await ctx.reply(`Welcome back: I read and answer your messages again. \`${ctx.prefix}privacy\` says what is kept.`);
  },
});
