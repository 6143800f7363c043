/** `eos train report|start|status|cancel|chart`: the same fine-tuning as `!train`, on the configured backend. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { insideDataDir, type Writes } from './guard.js';
import { formatDatasetReport, formatJob, type FineTuneService } from '../finetune/index.js';
import { createFineTuneService } from '../wiring-finetune.js';
import { retiredMessage, retiredModel } from '../llm/retired.js';

type Run = (fn: (ctx: CliContext) => Promise<number>, writes?: Writes) => Promise<void>;
const plain = (text: string) => text.replace(/\*\*/g, '');
const methodOf = (m: string | undefined): 'sft' | 'dpo' => (m === 'dpo' ? 'dpo' : 'sft');

function fineTune(ctx: CliContext): FineTuneService {
  const service = createFineTuneService(ctx.config, ctx.log);
  if (service) return service;
  throw new Error(
    ctx.config.bot.training.backend === 'together'
      ? 'Fine-tuning on Together AI needs TOGETHER_API_KEY.'
      : 'Fine-tuning needs OPENAI_BASE_URL / OPENAI_API_KEY (or training.openai.baseURL), or training.backend "together" or "local".',
  );
}

export async function trainReport(ctx: CliContext, method: 'sft' | 'dpo'): Promise<number> {
  const service = fineTune(ctx);
  const prepared = await service.prepare(ctx.datasets.dir(ctx.datasets.activeName()), method);
  await service.discard(prepared);
  ctx.out(plain(formatDatasetReport(prepared.report)));
  return prepared.report.enough ? 0 : 1;
}

/** Shows the report; a paid job starts only with --yes. A local trainer runs in this process, so it is always followed. */
export async function trainStart(ctx: CliContext, method: 'sft' | 'dpo', opts: { follow?: boolean; yes?: boolean } = {}): Promise<number> {
  const service = fineTune(ctx);
  try {
    const prepared = await service.prepare(ctx.datasets.dir(ctx.datasets.activeName()), method);
    ctx.out(plain(formatDatasetReport(prepared.report)));
    if (!prepared.report.enough || (service.info.paid && !opts.yes)) {
      await service.discard(prepared);
      if (prepared.report.enough) ctx.out('Nothing started: this job is billed by the provider; run again with --yes to start it.');
      return prepared.report.enough ? 0 : 1;
    }
    const job = await service.start(prepared, 'eos');
    await ctx.state.setTraining({ fineTuneJobId: job.id, fineTuneMessage: undefined });
    ctx.out(formatJob(job));
    if (!opts.follow && service.info.kind !== 'local') return 0;
    const final = await service.follow(job.id, {
      intervalMs: ctx.config.bot.training.followIntervalSec * 1000,
      onUpdate: async (j) => ctx.out(formatJob(j)),
    });
    if (final.fineTunedModel) await ctx.state.setTraining({ lastFineTunedModel: final.fineTunedModel });
    if (final.fineTunedModel && service.info.switchOnSuccess) {
      await ctx.state.setTraining({ chatModel: final.fineTunedModel });
      ctx.out(`Chat model is now ${final.fineTunedModel}.`);
    }
    return final.status === 'succeeded' ? 0 : 1;
  } finally {
    await service.close();
  }
}

function jobOf(ctx: CliContext, jobId?: string): string | null {
  const id = jobId ?? ctx.state.training().fineTuneJobId ?? null;
  if (!id) ctx.out('No fine-tuning job yet.');
  return id;
}

export async function trainStatus(ctx: CliContext, jobId?: string): Promise<number> {
  const id = jobOf(ctx, jobId);
  if (!id) return 1;
  ctx.out(formatJob(await fineTune(ctx).status(id)));
  return 0;
}

export async function trainCancel(ctx: CliContext, jobId?: string): Promise<number> {
  const id = jobOf(ctx, jobId);
  if (!id) return 1;
  ctx.out(formatJob(await fineTune(ctx).cancel(id)));
  return 0;
}

export async function trainChart(ctx: CliContext, jobId: string | undefined, out: string): Promise<number> {
  const id = jobOf(ctx, jobId);
  if (!id) return 1;
  const { renderLossCurve } = await import('../charts/loss.js'); // echarts + resvg load only for this command
  const png = await renderLossCurve(await fineTune(ctx).metrics(id), { title: `Fine-tune ${id}: loss per step` });
  if (!png) {
    ctx.out(`No loss logged yet for ${id}.`);
    return 1;
  }
  await writeFile(out, png);
  ctx.out(`Wrote ${out} (${png.length} bytes)`);
  return 0;
}

/** Sets the chat model the bot uses (state file), as `!train use` does: a name, the last fine-tuned model, or `default`. */
export async function trainUse(ctx: CliContext, model?: string): Promise<number> {
  if (model === 'default') {
    await ctx.state.setTraining({ chatModel: undefined });
    ctx.out('Back to the configured chat model.');
    return 0;
  }
  const name = model ?? ctx.state.training().lastFineTunedModel;
  if (!name || !/^[\w.:/@+-]{1,200}$/.test(name)) {
    ctx.out(name ? 'That is not a model name.' : 'No fine-tuned model yet: wait for a job to succeed, or name a model.');
    return 1;
  }
  const retired = retiredModel(name);
  if (retired) {
    ctx.out(retiredMessage(retired, '`eos train use <model>` (or EOS_CHAT_MODEL)', new Date().toISOString().slice(0, 10)));
    return 1;
  }
  await ctx.state.setTraining({ chatModel: name });
  ctx.out(`Chat model is now ${name}.`);
  return 0;
}

export function registerTrainCommands(eos: Command, run: Run): void {
  const train = eos.command('train').description('fine-tuning jobs on the configured backend (training.backend)');
  train
    .command('report')
    .argument('[method]', 'sft | dpo', 'sft')
    .description('the dataset report shown before a job: examples, tokens, cost, duplicates, split')
    .action((m: string) => run((c) => trainReport(c, methodOf(m))));
  train
    .command('start')
    .argument('[method]', 'sft | dpo', 'sft')
    .option('-f, --follow', 'wait and print progress until the job ends')
    .option('-y, --yes', 'start a paid job after the report without asking')
    .action((m: string, o: { follow?: boolean; yes?: boolean }) =>
      run((c) => trainStart(c, methodOf(m), o), 'the fine-tuning job into state/eos.json'),
    );
  train
    .command('status [jobId]')
    .description('status of a job (default: the last one started)')
    .action((id?: string) => run((c) => trainStatus(c, id)));
  train
    .command('cancel [jobId]')
    .description('cancel a job (default: the last one started)')
    .action((id?: string) => run((c) => trainCancel(c, id)));
  train
    .command('use [model]')
    .description('chat with a model (default: the last fine-tuned one; "default" = the configured one)')
    .action((m?: string) => run((c) => trainUse(c, m), 'the chat model into state/eos.json'));
  train
    .command('chart [jobId]')
    .description('the loss curve of a job as a PNG')
    .option('-o, --out <file>', 'PNG file to write', 'finetune-loss.png')
    .action((id: string | undefined, o: { out: string }) =>
      run(
        (c) => trainChart(c, id, o.out),
        (config) => (insideDataDir(config, o.out) ? o.out : null),
      ),
    );
}
