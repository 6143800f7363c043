/** The job state machine of the fake Together server (see server.ts): pending → queued → running → compressing → uploading → completed. */
import { EVENT_TYPES } from './spec.js';

export const iso = (): string => new Date().toISOString();

export interface Job {
  response: Record<string, unknown> & { id: string; status: string; events: Record<string, unknown>[] };
  totalSteps: number;
  step: number;
  failWith?: string;
  hasValidation: boolean;
  metrics: Record<string, number>[];
}

export class JobSimulator {
  private seq = 0;

  constructor(private readonly violations: string[]) {}

  event(job: Job, type: string, message: string, level: string | null = 'info', step = job.step): void {
    if (!EVENT_TYPES.includes(type)) this.violations.push(`event type ${type}`);
    job.response.events.push({
      object: 'fine-tune-event',
      created_at: new Date(Date.now() + job.response.events.length).toISOString(),
      level,
      message,
      type,
      param_count: 8_000_000_000,
      token_count: 0,
      total_steps: job.totalSteps,
      wandb_url: '',
      step,
      checkpoint_path: '',
      model_path: '',
      training_offset: 0,
      hash: `evt-${++this.seq}`,
    });
  }

  /** One GET's worth of progress. */
  advance(job: Job): void {
    const r = job.response;
    const set = (s: string) => {
      r.status = s;
      r.updated_at = iso();
    };
    if (r.status === 'pending') return set('queued');
    if (r.status === 'queued') {
      set('running');
      return this.event(job, 'training_start', 'Training started');
    }
    if (r.status === 'running') {
      job.step++;
      if (job.failWith && job.step >= Math.ceil(job.totalSteps / 2)) {
        set('error');
        return this.event(job, 'job_error', job.failWith, 'error');
      }
      const loss = Number((2 / (1 + job.step)).toFixed(4));
      job.metrics.push({ 'train/loss': loss, 'train/learning_rate': 1e-5, 'train/global_step': job.step });
      if (job.hasValidation) job.metrics.push({ 'eval/loss': Number((2.2 / (1 + job.step)).toFixed(4)), 'train/global_step': job.step });
      this.event(job, 'checkpoint_save', `Training step ${job.step}/${job.totalSteps}`);
      if (job.step >= job.totalSteps) set('compressing');
      return;
    }
    if (r.status === 'compressing') return set('uploading');
    if (r.status === 'uploading') {
      set('completed');
      r.model_output_name = `eos-user/${String(r.model).split('/').pop()}-${r.suffix ?? 'ft'}-${r.id.slice(3, 11)}`;
      r.token_count = 1234;
      return this.event(job, 'job_complete', 'Job finished', 'info');
    }
    if (r.status === 'cancel_requested') {
      set('cancelled');
      this.event(job, 'job_stopped', 'Job was cancelled');
    }
  }
}

/** Together reads OpenAI-style conversational ({messages}) and preference ({input, preferred_output, non_preferred_output}) JSONL. */
export function fileProblem(content: string, method: 'sft' | 'dpo'): string | undefined {
  const lines = content.split('\n').filter((l) => l.trim());
  if (lines.length === 0) return 'the file has no examples';
  for (const [i, line] of lines.entries()) {
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return `line ${i + 1} is not JSON`;
    }
    const ok =
      method === 'sft'
        ? Array.isArray(r['messages'])
        : typeof r['input'] === 'object' && Array.isArray(r['preferred_output']) && Array.isArray(r['non_preferred_output']);
    if (!ok) return `line ${i + 1} is not in the ${method === 'sft' ? 'conversational' : 'preference'} format`;
  }
  return undefined;
}
