import type { ButtonSpec, ChatSurface } from '../chat/types.js';
import type { CommandContext } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { formatDatasetReport, formatJob, type PreparedJob } from '../finetune/index.js';
import { retiredMessage, retiredModel } from '../llm/retired.js';
import type { FineTuneFollower, JobScope } from './finetune-follower.js';
import { CONFIRM_PREFIX, DECLINE_PREFIX, type PendingStart } from './finetune-confirm.js';
import { askOwnersJob, ownersJobElsewhere } from '../shard/owners-job.js';

export const FINE_TUNE_ACTIONS = ['start', 'confirm', 'report', 'status', 'cancel', 'use', 'chart'] as const;
export type FineTuneAction = (typeof FINE_TUNE_ACTIONS)[number];

function requireAdmin(ctx: CommandContext, what: string): void {
  if (!ctx.isAdmin) throw new UserError('AdminOnly', `Only Eos admins can ${what}.`);
}

/** Why there is no fine-tuning backend, naming what to set. */
function missingBackend(ctx: CommandContext): string {
  const backend = ctx.services.config.bot.training.backend;
  if (backend === 'together') return 'Fine-tuning on Together AI needs an API key: set TOGETHER_API_KEY.';
  return 'Fine-tuning needs an OpenAI-compatible endpoint: set OPENAI_BASE_URL and OPENAI_API_KEY (or training.openai.baseURL and EOS_FINETUNE_API_KEY), or choose training.backend "together" or "local".';
}

function services(ctx: CommandContext) {
  const { fineTune, follower } = ctx.services;
  if (!fineTune || !follower) throw new UserError('NoEndpoint', missingBackend(ctx));
  return { fineTune, follower };
}

function method(rest: string): 'sft' | 'dpo' {
  const m = (rest.split(/\s+/)[0] || 'sft').toLowerCase();
  if (m !== 'sft' && m !== 'dpo') throw new UserError('BadMethod', 'The method is `sft` or `dpo`.');
  return m;
}

/**
 * Whose job a command acts on: with training.fineTuneByServerAdmins each server has its own (even for bot owners
 * typing there); DMs, the console, and every server otherwise, act on the bot owners' job.
 */
function scopeOf(ctx: CommandContext): JobScope {
  const { follower, config, state } = ctx.services;
  const guildId = config.bot.training.fineTuneByServerAdmins && ctx.guildId ? ctx.guildId : null;
  if (follower) return follower.scope(guildId);
  return { key: guildId ? `guild:${guildId}` : 'owners', guildId, state };
}

/** The job a command names (or the scope's current one); a server admin may only name their server's jobs. */
function jobOf(ctx: CommandContext, scope: JobScope, rest: string, none: string): string {
  const named = rest.split(/\s+/)[0] ?? '';
  const jobId = named || scope.state.training().fineTuneJobId;
  if (!jobId) throw new UserError('NoJob', none);
  if (named && !ctx.isOwner && !ctx.services.follower?.ownsJob(scope, named)) {
    throw new UserError(
      'NotYourJob',
      scope.guildId ? 'That is not a fine-tuning job of this server.' : 'That is not the current fine-tuning job.',
    );
  }
  return jobId;
}

const unitNote = (p: PreparedJob) =>
  `(${p.report.train} ${p.report.method === 'sft' ? 'examples' : 'preference pairs'} from **${p.report.dataset}**)`;

/** Starts a prepared job, posts its progress message (replying to the report) and follows it. */
export async function startPrepared(
  follower: FineTuneFollower,
  surface: ChatSurface,
  p: Pick<PendingStart, 'prepared' | 'channelId' | 'messageId' | 'guildId'>,
): Promise<string> {
  const job = await follower.service.start(p.prepared, 'eos');
  // Recorded before the progress message appears: a `train status` typed on seeing it names this job.
  await follower.scope(p.guildId ?? null).state.setTraining({ fineTuneJobId: job.id, fineTuneMessage: undefined });
  const note = unitNote(p.prepared);
  const sent = await surface.send(p.channelId, { content: `${formatJob(job)}\n${note}`, ...(p.messageId ? { replyTo: p.messageId } : {}) });
  await follower.follow(job.id, { channelId: sent.channelId, messageId: sent.id, note }, follower.scope(p.guildId ?? null));
  return job.id;
}

/** A click on Start / Cancel under a report (Discord buttons). Returns the new text of the report message. */
export async function onConfirmButton(
  follower: FineTuneFollower,
  surface: ChatSurface,
  click: { customId: string; userId: string },
  report: string,
): Promise<string> {
  const go = click.customId.startsWith(CONFIRM_PREFIX);
  const token = click.customId.slice((go ? CONFIRM_PREFIX : DECLINE_PREFIX).length);
  const p = follower.pending.take(token, click.userId);
  if (p === 'not-yours') throw new UserError('NotYourJob', 'Only the admin who asked for this job can start or cancel it.');
  if (p === 'gone') return `${report}\n*This confirmation expired or was already used: run \`train start\` again.*`;
  if (!go) {
    await follower.service.discard(p.prepared);
    return `${report}\n*Cancelled: nothing was started.*`;
  }
  const id = await startPrepared(follower, surface, p);
  return `${report}\n*Confirmed: job \`${id}\` started.*`;
}

async function start(ctx: CommandContext, rest: string): Promise<void> {
  requireAdmin(ctx, 'start fine-tuning');
  const m = method(rest);
  const { fineTune, follower } = services(ctx);
  const scope = scopeOf(ctx);
  if (scope.guildId && !ctx.services.tenants && !ctx.isOwner) {
    throw new UserError(
      'SharedData',
      "The datasets are shared by every server Eos is in: a server's own fine-tuning needs `perServerData`.",
    );
  }
  // The owners' job is followed by shard 0: refused before anything is uploaded when shard 0 is not reachable.
  if (scope.guildId === null && ownersJobElsewhere(ctx.services.ownerOps)) await askOwnersJob(ctx.services.ownerOps, { action: 'ping' });
  const dataset = ctx.services.datasets.activeName();
  const prepared = await fineTune.prepare(ctx.services.datasets.dir(dataset), m);
  const report = formatDatasetReport(prepared.report);
  if (!prepared.report.enough) {
    await fineTune.discard(prepared);
    await ctx.reply(report);
    return;
  }
  if (!fineTune.info.paid) {
    const sent = await ctx.reply(report);
    await startPrepared(follower, ctx.services.surface, { prepared, channelId: ctx.channelId, messageId: sent.id, guildId: scope.guildId });
    return;
  }
  const pending = follower.pending.add({ prepared, userId: ctx.user.id, channelId: ctx.channelId, guildId: scope.guildId });
  const buttons: ButtonSpec[] = [
    { customId: `${CONFIRM_PREFIX}${pending.token}`, label: 'Start (paid)', style: 'success' },
    { customId: `${DECLINE_PREFIX}${pending.token}`, label: 'Cancel', style: 'secondary' },
  ];
  const ask =
    ctx.services.surface.kind === 'discord'
      ? 'This job is billed by the provider: press **Start** to go ahead.'
      : 'This job is billed by the provider: type `train confirm` to go ahead.';
  const sent = await ctx.reply({ content: `${report}\n${ask}`, buttons });
  pending.messageId = sent.id;
}

/** `!train start [sft|dpo]` (report, then a Start button for paid backends), `confirm`, `report`, `status`, `cancel`, `use [model|default]`, `chart [job]`. */
export async function fineTuneAction(ctx: CommandContext, action: FineTuneAction, rest: string): Promise<void> {
  switch (action) {
    case 'start':
      return start(ctx, rest);
    case 'confirm': {
      requireAdmin(ctx, 'start fine-tuning');
      const { follower } = services(ctx);
      const token = follower.pending.latest(ctx.user.id, scopeOf(ctx).guildId);
      const p = token ? follower.pending.take(token, ctx.user.id) : 'gone';
      if (typeof p === 'string')
        throw new UserError('NothingToConfirm', 'Nothing to confirm: run `train start` first (a report waits 15 minutes).');
      await startPrepared(follower, ctx.services.surface, { ...p, messageId: ctx.message?.id ?? null });
      return;
    }
    case 'report': {
      requireAdmin(ctx, 'build a fine-tuning report'); // it reads and tokenizes the whole dataset
      const { fineTune } = services(ctx);
      const prepared = await fineTune.prepare(ctx.services.datasets.dir(ctx.services.datasets.activeName()), method(rest));
      await fineTune.discard(prepared);
      await ctx.reply(formatDatasetReport(prepared.report));
      return;
    }
    case 'status': {
      const scope = scopeOf(ctx);
      const none = 'No fine-tuning job yet. Start one with `train start`.';
      if (await askedShardZero(ctx, scope, rest, { action: 'status', none })) return;
      const jobId = jobOf(ctx, scope, rest, none);
      await ctx.reply(formatJob(await services(ctx).fineTune.status(jobId)));
      return;
    }
    case 'cancel': {
      requireAdmin(ctx, 'cancel fine-tuning');
      const scope = scopeOf(ctx);
      const none = 'No fine-tuning job to cancel.';
      if (await askedShardZero(ctx, scope, rest, { action: 'cancel', none })) return;
      const jobId = jobOf(ctx, scope, rest, none);
      await ctx.reply(formatJob(await services(ctx).fineTune.cancel(jobId)));
      return;
    }
    case 'chart': {
      const scope = scopeOf(ctx);
      const none = 'No fine-tuning job yet. Start one with `train start`.';
      if (await askedShardZero(ctx, scope, rest, { action: 'chart', none })) return;
      const jobId = jobOf(ctx, scope, rest, none);
      const png = await services(ctx).follower.lossChart(jobId);
      if (!png) {
        await ctx.reply(`No loss logged yet for \`${jobId}\`.`);
        return;
      }
      await ctx.reply({
        content: `Loss curve of \`${jobId}\``,
        files: [{ name: `finetune-${jobId}.png`, data: png, contentType: 'image/png' }],
      });
      return;
    }
    case 'use':
      return use(ctx, rest);
  }
}

/**
 * Sharded, on a shard other than 0: the owners' job is followed by shard 0, which answers status/cancel/chart (the
 * same reply as from shard 0 or a DM; with no job named, shard 0's current one). Returns whether it replied.
 */
async function askedShardZero(
  ctx: CommandContext,
  scope: JobScope,
  rest: string,
  req: { action: 'status' | 'cancel' | 'chart'; none: string },
): Promise<boolean> {
  const ops = ctx.services.ownerOps;
  if (scope.guildId !== null || !ownersJobElsewhere(ops)) return false;
  services(ctx);
  const named = rest.split(/\s+/)[0] ?? '';
  if (named) jobOf(ctx, scope, rest, req.none); // a named job: the same permission check as on shard 0
  const r = await askOwnersJob(ops, { ...req, ...(named ? { jobId: named } : {}) });
  const chart = r.png ? [{ name: `finetune-${r.jobId ?? named}.png`, data: r.png, contentType: 'image/png' }] : [];
  await ctx.reply(chart.length ? { content: r.text, files: chart } : r.text);
  return true;
}

async function use(ctx: CommandContext, rest: string): Promise<void> {
  const scope = scopeOf(ctx);
  const { state } = scope;
  requireAdmin(ctx, 'change the chat model');
  if (rest.toLowerCase() === 'default') {
    await state.setTraining({ chatModel: undefined });
    await ctx.reply('Back to the configured chat model.');
    return;
  }
  const model = rest || state.training().lastFineTunedModel;
  if (!model) throw new UserError('NoModel', 'No fine-tuned model yet: wait for a job to succeed, or name a model.');
  if (!/^[\w.:/@+-]{1,200}$/.test(model))
    throw new UserError('BadModel', 'That is not a model name (letters, digits and . : / @ + - _, at most 200).');
  if (scope.guildId && !ctx.isOwner) {
    const own = ctx.services.follower?.ownModels(scope) ?? [];
    if (!own.includes(model) && model !== ctx.services.config.llm?.model) {
      throw new UserError(
        'NotYourModel',
        "A server's admins can use the models of this server's own fine-tuning jobs (or `default`); ask a bot owner for others.",
      );
    }
  }
  await refuseUnavailable(ctx, model);
  await state.setTraining({ chatModel: model });
  await ctx.reply(`Chat model is now \`${model}\`. \`train use default\` goes back.`);
}

/** A retired model, or one the chat endpoint does not list, is refused with the settings to change. */
async function refuseUnavailable(ctx: CommandContext, model: string): Promise<void> {
  const retired = retiredModel(model);
  if (retired) {
    const today = new Date().toISOString().slice(0, 10);
    throw new UserError('RetiredModel', `${retiredMessage(retired, '`train use <model>` (or EOS_CHAT_MODEL)', today)}`);
  }
  const served = await ctx.services.follower?.servesModel(model);
  if (served === false) {
    throw new UserError(
      'UnknownModel',
      `The chat endpoint does not list \`${model}\` (GET /models): serve it first or name one it lists; \`train use default\` goes back to EOS_CHAT_MODEL.`,
    );
  }
}
