/**
 * Together AI's fine-tune objects (FinetuneResponse, FineTuneEvent, metrics snapshots; see the OpenAPI spec in
 * github.com/togethercomputer/openapi, openapi.yaml) mapped to Eos' JobView / JobEvent / MetricPoint.
 */
import type { MetricPoint } from '../port.js';
import type { JobEvent, JobStatus, JobView } from '../types.js';

export interface TogetherEvent {
  object?: string;
  created_at: string;
  level?: string | null;
  message: string;
  type: string;
  step?: number;
  total_steps?: number;
  hash?: string;
}

export interface TogetherJob {
  id: string;
  status: string;
  model?: string;
  model_output_name?: string;
  token_count?: number;
  events?: TogetherEvent[];
}

const STATUS: Record<string, JobStatus> = {
  pending: 'queued',
  queued: 'queued',
  running: 'running',
  compressing: 'running',
  uploading: 'running',
  cancel_requested: 'running',
  cancelled: 'cancelled',
  error: 'failed',
  completed: 'succeeded',
};
const LEVEL: Record<string, JobEvent['level']> = { warning: 'warn', legacy_iwarning: 'warn', error: 'error', legacy_ierror: 'error' };

export function toEvent(e: TogetherEvent, index: number): JobEvent {
  const step =
    typeof e.step === 'number' && typeof e.total_steps === 'number' && e.total_steps > 0
      ? { step: e.step, totalSteps: e.total_steps }
      : null;
  return {
    id: e.hash || `${e.created_at}#${index}`,
    createdAt: new Date(e.created_at),
    level: LEVEL[e.level ?? ''] ?? 'info',
    message: e.message,
    step,
  };
}

/** Events newest first. */
export function newestFirst(events: readonly TogetherEvent[]): JobEvent[] {
  return events.map(toEvent).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

export function toJobView(job: TogetherJob, events: readonly TogetherEvent[] = job.events ?? []): JobView {
  const status = STATUS[job.status] ?? 'running';
  const sorted = newestFirst(events);
  const latest = sorted.find((e) => e.step !== null)?.step;
  let progress: string = status === 'queued' ? 'queued' : status;
  if (status === 'running')
    progress = job.status === 'running' ? (latest ? `step ${latest.step}/${latest.totalSteps}` : 'running') : job.status.replace('_', ' ');
  const failure = sorted.find((e) => e.level === 'error')?.message ?? null;
  return {
    id: job.id,
    status,
    model: job.model ?? '(unknown)',
    fineTunedModel: status === 'succeeded' ? (job.model_output_name ?? null) : null,
    trainedTokens: typeof job.token_count === 'number' ? job.token_count : null,
    error: status === 'failed' ? (failure ?? 'no reason given') : null,
    progress,
  };
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** GET /fine-tunes/{id}/metrics snapshots: `train/global_step`, `train/loss`, and `eval/loss` when validating. */
export function toMetricPoints(snapshots: readonly Record<string, unknown>[]): MetricPoint[] {
  const byStep = new Map<number, MetricPoint>();
  for (const s of snapshots) {
    const step = num(s['train/global_step']) ?? num(s['eval/global_step']);
    if (step === null) continue;
    const prev = byStep.get(step);
    byStep.set(step, {
      step,
      trainLoss: num(s['train/loss']) ?? prev?.trainLoss ?? null,
      validLoss: num(s['eval/loss']) ?? prev?.validLoss ?? null,
    });
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
