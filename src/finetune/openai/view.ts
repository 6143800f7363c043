/** Turns SDK job and event objects into JobView / JobEvent, and JobView into the progress message. */
import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import type { JobEvent, JobStatus, JobView } from './types.js';

const STATUS_TEXT: Partial<Record<string, string>> & Record<JobStatus, string> = {
  validating_files: 'validating files',
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Step numbers from a metrics event: `data.step`/`data.total_steps`, else "Step 40/100" in the message. */
export function stepOf(event: Pick<FineTuningJobEvent, 'data' | 'message'>): JobEvent['step'] {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  const step = num(data['step']);
  const total = num(data['total_steps']);
  if (step !== undefined && total !== undefined) return { step, totalSteps: total };
  const match = /\bstep\s+(\d+)\s*\/\s*(\d+)/i.exec(event.message ?? '');
  return match ? { step: Number(match[1]), totalSteps: Number(match[2]) } : null;
}

export function toJobEvent(event: FineTuningJobEvent): JobEvent {
  return {
    id: event.id,
    createdAt: new Date(event.created_at * 1000),
    level: event.level,
    message: event.message,
    step: event.type === 'metrics' || event.type === undefined ? stepOf(event) : null,
  };
}

/** `events` newest first (as the API lists them); only used for the progress of a running job. */
export function toJobView(job: FineTuningJob, events: JobEvent[]): JobView {
  const latest = events.find((e) => e.step !== null)?.step;
  const progress =
    job.status === 'running' && latest
      ? `step ${latest.step}/${latest.totalSteps}`
      : (STATUS_TEXT[job.status] ?? String(job.status)); // a newer API may add statuses
  return {
    id: job.id,
    status: job.status,
    model: job.model,
    fineTunedModel: job.fine_tuned_model ?? null,
    trainedTokens: job.trained_tokens ?? null,
    error: job.error ? job.error.message || job.error.code || 'unknown error' : null,
    progress,
  };
}

/** One-line progress message for chat, e.g. "Fine-tune `ftjob-1` (gpt-4o-mini): step 2/3". */
export function formatJob(job: JobView): string {
  const head = `Fine-tune \`${job.id}\` (${job.model})`;
  if (job.status === 'succeeded') {
    const tokens = job.trainedTokens !== null ? `, ${job.trainedTokens} tokens trained` : '';
    return `${head} succeeded: \`${job.fineTunedModel ?? '(no model name)'}\`${tokens}.`;
  }
  if (job.status === 'failed') return `${head} failed: ${job.error ?? 'no reason given'}.`;
  if (job.status === 'cancelled') return `${head} was cancelled.`;
  return `${head}: ${job.progress}…`;
}
