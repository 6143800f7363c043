import { defineCommand } from '../core/command.js';

export const feedback = defineCommand({
  name: 'feedback',
  description: 'Leave feedback; as a reply to one of my messages it is linked to that reply.',
  usage: 'feedback <text>',
  category: 'Training',
  options: [{ name: 'text', description: 'Your feedback', type: 'string', required: true, rest: true }],
  preconditions: [],
  async run(ctx) {
    const target = ctx.message?.replyToBot ? (ctx.message.replyToId ?? null) : null;
    if (target) await ctx.services.feedback.settle(ctx.channelId, target);
    const r = await ctx.services.feedback.feedback(target, ctx.args.text as string);
    await ctx.reply(`Thanks! Feedback saved in **${r.dataset}**${r.linked ? ', linked to that reply' : ''}.`);
  },
});
