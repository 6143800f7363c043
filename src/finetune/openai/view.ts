/** Turns SDK job and event objects into JobView / JobEvent, and JobView into the progress message. */
import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import type { JobEvent, JobStatus, JobView } from '../types.js';
import type { MetricPoint } from '../port.js';

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
    job.status === 'running' && latest ? `step ${latest.step}/${latest.totalSteps}` : (STATUS_TEXT[job.status] ?? String(job.status)); // a newer API may add statuses
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

function loss(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Loss per step from metrics events (`data.step`, `data.train_loss`, `data.valid_loss` / `full_valid_loss`), oldest first. */
export function toMetricPoints(events: readonly Pick<FineTuningJobEvent, 'data' | 'type'>[]): MetricPoint[] {
  const byStep = new Map<number, MetricPoint>();
  for (const e of events) {
    if (e.type !== 'metrics' || typeof e.data !== 'object' || e.data === null) continue;
    const d = e.data as Record<string, unknown>;
    const step = num(d['step']);
    if (step === undefined) continue;
    byStep.set(step, { step, trainLoss: loss(d['train_loss']), validLoss: loss(d['full_valid_loss'] ?? d['valid_loss']) });
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
