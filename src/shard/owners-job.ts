/**
 * The bot owners' fine-tuning job has one follower: shard 0 (DMs live there; it resumes the job after restarts).
 * A shard other than 0 that receives `!train status|cancel|chart` for the owners' job asks shard 0 (`owner.finetune`)
 * so the answer is the same from every shard, and a job it starts is handed to shard 0 to follow.
 */
import { UserError, isUserError } from '../core/errors.js';
import type { FineTuneService } from '../finetune/service.js';
import { formatJob } from '../finetune/format.js';
import type { FineTuneFollower } from '../training/finetune-follower.js';
import type { OwnerOps } from './owner-ops.js';

export const OWNER_FINETUNE = 'owner.finetune';
/** Status and cancel are one backend call; a chart renders a PNG (the chart libraries load on first use). */
export const OWNERS_JOB_TIMEOUT_MS = 15_000;

export type OwnersJobRequest =
  /** jobId: the one named, else shard 0's current job (its state is the writer's own, never a replica behind it). */
  | { action: 'status' | 'cancel' | 'chart'; jobId?: string; none?: string }
  | { action: 'follow'; jobId: string; message: { channelId: string; messageId: string; note?: string } }
  /** Before a job is started for the owners on another shard: is shard 0 there to follow it? */
  | { action: 'ping' };

/** Shard 0's answer: a reply (text, and a base64 PNG for chart), or the error it met (a UserError keeps its identifier). */
export type OwnersJobAnswer =
  { handled: false } | { handled: true; text: string; jobId?: string; png?: string; error?: string; errorId?: string };

async function answer(deps: { fineTune: FineTuneService; follower: FineTuneFollower }, req: OwnersJobRequest): Promise<OwnersJobAnswer> {
  if (req.action === 'ping') return { handled: true, text: '' };
  if (req.action === 'follow') {
    await deps.follower.follow(req.jobId, req.message, deps.follower.scope(null));
    return { handled: true, text: '' };
  }
  const jobId = req.jobId || deps.follower.scope(null).state.training().fineTuneJobId;
  if (!jobId) throw new UserError('NoJob', req.none ?? 'No fine-tuning job yet.');
  switch (req.action) {
    case 'status':
      return { handled: true, text: formatJob(await deps.fineTune.status(jobId)) };
    case 'cancel':
      return { handled: true, text: formatJob(await deps.fineTune.cancel(jobId)) };
    case 'chart': {
      const png = await deps.follower.lossChart(jobId);
      if (!png) return { handled: true, text: `No loss logged yet for \`${jobId}\`.` };
      return { handled: true, text: `Loss curve of \`${jobId}\``, jobId, png: png.toString('base64') };
    }
  }
}

/**
 * Shard 0 answers `owner.finetune`; other shards decline. On other shards, jobs of the owners started there are
 * handed to shard 0 (followed locally only when shard 0 does not answer; shard 0 then resumes it at its next start).
 */
export function registerOwnersJob(ops: OwnerOps, deps: { fineTune: FineTuneService | null; follower: FineTuneFollower | null }): void {
  const { fineTune, follower } = deps;
  ops.handle(OWNER_FINETUNE, async (args): Promise<OwnersJobAnswer> => {
    if (ops.me.id !== 0) return { handled: false };
    if (!fineTune || !follower)
      return { handled: true, text: '', error: 'Fine-tuning is not configured on shard 0.', errorId: 'NoEndpoint' };
    try {
      return await answer({ fineTune, follower }, args as OwnersJobRequest);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return { handled: true, text: '', error, ...(isUserError(err) ? { errorId: err.identifier } : {}) };
    }
  });
  if (ops.me.id !== 0 && follower) {
    follower.followOwnersElsewhere((jobId, message) =>
      askOwnersJob(ops, { action: 'follow', jobId, message }).then(
        () => true,
        () => false,
      ),
    );
  }
}

/** Whether this shard must ask shard 0 about the owners' job (sharded, and not shard 0). */
export function ownersJobElsewhere(ops: OwnerOps | undefined): ops is OwnerOps {
  return !!ops && ops.sharded && ops.me.id !== 0;
}

/** Shard 0's answer, or a UserError naming shard 0 when it did not answer within the bound. */
export async function askOwnersJob(ops: OwnerOps, req: OwnersJobRequest): Promise<{ text: string; jobId?: string; png?: Buffer }> {
  const answers = await ops.ask<OwnersJobAnswer>(OWNER_FINETUNE, req, OWNERS_JOB_TIMEOUT_MS);
  const zero = answers.find((a) => a.shard === 0);
  if (!zero) {
    throw new UserError(
      'ShardZeroElsewhere',
      "Shard 0, which follows the bot owners' fine-tuning job, runs on another host: use a DM or a server of shard 0 for it.",
    );
  }
  if (!zero.ok || !zero.result.handled) {
    const why = zero.ok ? 'it declined' : zero.error;
    throw new UserError(
      'ShardNotAnswering',
      `Shard 0 follows the bot owners' fine-tuning job and did not answer (${why}); try again in a moment.`,
    );
  }
  const r = zero.result;
  if (r.error !== undefined) throw r.errorId ? new UserError(r.errorId, r.error) : new Error(r.error);
  return { text: r.text, ...(r.jobId ? { jobId: r.jobId } : {}), ...(r.png ? { png: Buffer.from(r.png, 'base64') } : {}) };
}
