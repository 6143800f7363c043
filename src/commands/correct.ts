import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { correctionReply } from '../training/feedback.js';

const ID_FIRST = /^(\d{15,21})\s+([\s\S]+)$/;

export const correct = defineCommand({
  name: 'correct',
  description: 'Correct one of my replies (reply to it, give its message id, or it applies to my last reply here).',
  usage: 'correct [message_id] <better answer>',
  category: 'Training',
  options: [
    { name: 'answer', description: 'The better answer', type: 'string', required: true, rest: true },
    { name: 'message_id', description: 'ID of my reply to correct (default: my last reply here)', type: 'string' },
  ],
  preconditions: [],
  async run(ctx) {
    let answer = ctx.args.answer as string;
    let target = ctx.args.message_id as string | undefined;
    if (!target && ctx.message?.replyToId) {
      if (!ctx.message.replyToBot) throw new UserError('NotMyReply', 'Reply to one of *my* messages to correct it.');
      target = ctx.message.replyToId;
    }
    const byId = target ? null : ID_FIRST.exec(answer);
    if (byId) [target, answer] = [byId[1]!, byId[2]!];
    // A reply users already see may still be being captured (its send not answered yet): wait for it (bounded).
    await ctx.services.feedback.settle(ctx.channelId, target);
    target ??= ctx.services.feedback.latestIn(ctx.channelId);
    if (!target) throw new UserError('NothingToCorrect', 'I have no reply here to correct yet.');
    // Only replies posted in this channel (or DM): an ID from elsewhere would copy that conversation here.
    const where = ctx.services.feedback.channelOf(target);
    if (where !== undefined && where !== ctx.channelId)
      throw new UserError('OtherChannel', 'I can only correct my replies in this channel.');
    const r = await ctx.services.feedback.correct(target, answer);
    await ctx.reply(correctionReply(r));
  },
});
