import { defineCommand } from '../core/command.js';
import { requirePrivacy } from '../privacy/consent.js';

export const optout = defineCommand({
  name: 'optout',
  description: 'Stop Eos from reading or keeping anything you write (commands still work).',
  usage: 'optout',
  category: 'General',
  options: [],
  preconditions: [],
  private: true,
  async run(ctx) {
    const privacy = requirePrivacy(ctx.services);
    await privacy.setOptedOut(ctx.user.id, true);
    await ctx.reply(
      `Done: from now on I don't read, answer or keep your messages in any server. ` +
        `\`${ctx.prefix}forget me\` also removes what you wrote before; \`${ctx.prefix}optin\` undoes this.`,
    );
  },
});
