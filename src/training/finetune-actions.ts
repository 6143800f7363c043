import type { CommandContext } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { formatJob } from '../finetune/index.js';

export const FINE_TUNE_ACTIONS = ['start', 'status', 'cancel', 'use'] as const;
export type FineTuneAction = (typeof FINE_TUNE_ACTIONS)[number];

function requireAdmin(ctx: CommandContext, what: string): void {
  if (!ctx.isAdmin) throw new UserError('AdminOnly', `Only Eos admins can ${what}.`);
}

function services(ctx: CommandContext) {
  const { fineTune, follower } = ctx.services;
  if (!fineTune || !follower) {
    throw new UserError('NoEndpoint', 'Fine-tuning needs an OpenAI-compatible endpoint: set OPENAI_BASE_URL and OPENAI_API_KEY.');
  }
  return { fineTune, follower };
}

/** `!train start [sft|dpo]`, `!train status`, `!train cancel`, `!train use [model|default]`. */
export async function fineTuneAction(ctx: CommandContext, action: FineTuneAction, rest: string): Promise<void> {
  const { state } = ctx.services;
  switch (action) {
    case 'start': {
      requireAdmin(ctx, 'start fine-tuning');
      const method = (rest.split(/\s+/)[0] || 'sft').toLowerCase();
      if (method !== 'sft' && method !== 'dpo') throw new UserError('BadMethod', 'The method is `sft` or `dpo`.');
      const { fineTune, follower } = services(ctx);
      const dataset = ctx.services.datasets.activeName();
      const file = await fineTune.buildTrainingFile({ datasetDir: ctx.services.datasets.dir(dataset), method });
      const job = await fineTune.start({ file: file.path, method, baseModel: ctx.services.config.bot.training.baseModel, suffix: 'eos' });
      const note = `(${file.records} ${method === 'sft' ? 'examples' : 'preference pairs'} from **${dataset}**)`;
      const sent = await ctx.reply(`${formatJob(job)}\n${note}`);
      await follower.follow(job.id, { channelId: sent.channelId, messageId: sent.id, note });
      return;
    }
    case 'status': {
      const jobId = rest || state.training().fineTuneJobId;
      if (!jobId) throw new UserError('NoJob', 'No fine-tuning job yet. Start one with `train start`.');
      await ctx.reply(formatJob(await services(ctx).fineTune.status(jobId)));
      return;
    }
    case 'cancel': {
      requireAdmin(ctx, 'cancel fine-tuning');
      const jobId = rest || state.training().fineTuneJobId;
      if (!jobId) throw new UserError('NoJob', 'No fine-tuning job to cancel.');
      await ctx.reply(formatJob(await services(ctx).fineTune.cancel(jobId)));
      return;
    }
    case 'use': {
      requireAdmin(ctx, 'change the chat model');
      if (rest.toLowerCase() === 'default') {
        await state.setTraining({ chatModel: undefined });
        await ctx.reply('Back to the configured chat model.');
        return;
      }
      const model = rest || state.training().lastFineTunedModel;
      if (!model) throw new UserError('NoModel', 'No fine-tuned model yet: wait for a job to succeed, or name a model.');
      if (!/^[\w.:/@+-]{1,200}$/.test(model)) throw new UserError('BadModel', 'That is not a model name (letters, digits and . : / @ + - _, at most 200).');
      await state.setTraining({ chatModel: model });
      await ctx.reply(`Chat model is now \`${model}\`. \`train use default\` goes back.`);
      return;
    }
  }
}
