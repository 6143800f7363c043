import path from 'node:path';
import type { CliContext } from './context.js';
import { createArchive } from '../archive/index.js';
import { FineTuneService, formatJob } from '../finetune/index.js';

export async function archive(ctx: CliContext, which?: string): Promise<number> {
  const all = (await ctx.datasets.list()).map((m) => m.name);
  const names = !which ? [ctx.datasets.activeName()] : which === 'all' ? all : [which];
  const r = await createArchive({ datasetsDir: ctx.config.paths.datasets, archivesDir: ctx.config.paths.archives, names });
  ctx.out(`${r.path} (${r.files} files, ${r.bytes} bytes, ${r.ms} ms)`);
  return 0;
}

function fineTune(ctx: CliContext): FineTuneService {
  if (!ctx.config.llm) throw new Error('Fine-tuning needs OPENAI_BASE_URL / OPENAI_API_KEY.');
  return new FineTuneService({ apiKey: ctx.config.llm.apiKey ?? undefined, baseURL: ctx.config.llm.baseURL });
}

export async function trainStart(ctx: CliContext, method: 'sft' | 'dpo', follow: boolean): Promise<number> {
  const service = fineTune(ctx);
  const dataset = ctx.datasets.activeName();
  const file = await service.buildTrainingFile({ datasetDir: ctx.datasets.dir(dataset), method });
  const job = await service.start({ file: file.path, method, baseModel: ctx.config.bot.training.baseModel, suffix: 'eos' });
  await ctx.state.setTraining({ fineTuneJobId: job.id, fineTuneMessage: undefined });
  ctx.out(`${formatJob(job)} (${file.records} records from ${dataset})`);
  if (!follow) return 0;
  const final = await service.follow(job.id, {
    intervalMs: ctx.config.bot.training.followIntervalSec * 1000,
    onUpdate: async (j) => ctx.out(formatJob(j)),
  });
  if (final.fineTunedModel) await ctx.state.setTraining({ lastFineTunedModel: final.fineTunedModel });
  return final.status === 'succeeded' ? 0 : 1;
}

export async function trainStatus(ctx: CliContext, jobId?: string): Promise<number> {
  const id = jobId ?? ctx.state.training().fineTuneJobId;
  if (!id) {
    ctx.out('No fine-tuning job yet.');
    return 1;
  }
  ctx.out(formatJob(await fineTune(ctx).status(id)));
  return 0;
}
