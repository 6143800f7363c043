import { defineCommand } from '../core/command.js';

export const replyprefix = defineCommand({
  name: 'replyprefix',
  description: 'Set a text Eos puts before its replies to you (or "off").',
  usage: 'replyprefix [text|off]',
  category: 'Settings',
  options: [{ name: 'text', description: 'Prefix for replies to you, or "off"', type: 'string', rest: true }],
  preconditions: [],
  async run(ctx) {
    const text = ctx.args.text as string | undefined;
    const { state } = ctx.services;
    if (text === undefined) {
      const current = state.user(ctx.user.id).replyPrefix;
      await ctx.reply(current ? `Your reply prefix is \`${current}\`.` : 'You have no reply prefix. Set one with `replyprefix <text>`.');
      return;
    }
    if (text.toLowerCase() === 'off') {
      await state.setUser(ctx.user.id, { replyPrefix: undefined });
      await ctx.reply('Reply prefix removed.');
      return;
    }
    const clean = text
      .replace(/@(everyone|here)/g, '@\u200b$1')
      .replace(/<[@#][!&]?\d+>/g, '')
      .slice(0, 32);
    await state.setUser(ctx.user.id, { replyPrefix: clean });
    await ctx.reply(`My replies to you will start with \`${clean}\`.`);
  },
});
