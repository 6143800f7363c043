/**
 * Simulated fine-tuning jobs for the fake server: spec-shaped job and event objects, the training-file check,
 * and the state machine validating_files → queued → running (one step per poll) → succeeded | failed.
 */

export type JobStatus = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type MethodType = 'supervised' | 'dpo';

export interface JobObject {
  object: 'fine_tuning.job';
  id: string;
  created_at: number;
  error: { code: string; message: string; param: string | null } | null;
  fine_tuned_model: string | null;
  finished_at: number | null;
  hyperparameters: { batch_size: number; learning_rate_multiplier: number; n_epochs: number };
  model: string;
  organization_id: string;
  result_files: string[];
  status: JobStatus;
  trained_tokens: number | null;
  training_file: string;
  validation_file: string | null;
  seed: number;
  estimated_finish: number | null;
  integrations: null;
  method: { type: MethodType } & Partial<Record<MethodType, { hyperparameters: Record<string, number> }>>;
  metadata: null;
}

export interface EventObject {
  object: 'fine_tuning.job.event';
  id: string;
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  type: 'message' | 'metrics';
  data: Record<string, unknown>;
}

export interface SimJob {
  job: JobObject;
  /** Oldest first. */
  events: EventObject[];
  step: number;
  totalSteps: number;
  suffix: string;
  /** Set when the job is scripted to fail at its first step. */
  failWith?: string;
  tokensPerEpoch: number;
}

const TERMINAL: JobStatus[] = ['succeeded', 'failed', 'cancelled'];
const EPOCHS = 3;

export const isTerminal = (status: JobStatus): boolean => TERMINAL.includes(status);
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface NewJob {
  id: string;
  model: string;
  trainingFile: string;
  trainingBytes: number;
  method: MethodType;
  suffix: string;
  totalSteps: number;
  failWith?: string;
  /** A validation file id: metrics events then carry valid_loss too. */
  validationFile?: string;
}

export function newSimJob(o: NewJob): SimJob {
  const hyperparameters = { batch_size: 1, learning_rate_multiplier: 1.8, n_epochs: EPOCHS };
  const job: JobObject = {
    object: 'fine_tuning.job',
    id: o.id,
    created_at: nowSeconds(),
    error: null,
    fine_tuned_model: null,
    finished_at: null,
    hyperparameters,
    model: o.model,
    organization_id: 'org-fake',
    result_files: [],
    status: 'validating_files',
    trained_tokens: null,
    training_file: o.trainingFile,
    validation_file: o.validationFile ?? null,
    seed: 42,
    estimated_finish: null,
    integrations: null,
    metadata: null,
    method: { type: o.method, [o.method]: { hyperparameters: { ...hyperparameters } } },
  };
  const sim: SimJob = {
    job,
    events: [],
    step: 0,
    totalSteps: o.totalSteps,
    suffix: o.suffix,
    tokensPerEpoch: Math.ceil(o.trainingBytes / 4),
    ...(o.failWith !== undefined ? { failWith: o.failWith } : {}),
  };
  return sim;
}

export type NextId = (prefix: string) => string;

export function addEvent(sim: SimJob, nextId: NextId, message: string, extra: Partial<EventObject> = {}): void {
  sim.events.push({
    object: 'fine_tuning.job.event',
    id: nextId('ftevent-fake'),
    created_at: nowSeconds(),
    level: 'info',
    message,
    type: 'message',
    data: {},
    ...extra,
  });
}

/** One poll's worth of progress. */
export function advance(sim: SimJob, nextId: NextId): void {
  const { job } = sim;
  if (job.status === 'validating_files') {
    job.status = 'queued';
    addEvent(sim, nextId, 'Files validated, moving job to queued state');
  } else if (job.status === 'queued') {
    job.status = 'running';
    job.estimated_finish = nowSeconds() + 60 * sim.totalSteps;
    addEvent(sim, nextId, 'Fine-tuning job started');
  } else if (job.status === 'running') {
    step(sim, nextId);
  }
}

function step(sim: SimJob, nextId: NextId): void {
  sim.step++;
  const loss = Number((2 / (1 + sim.step)).toFixed(4));
  addEvent(sim, nextId, `Step ${sim.step}/${sim.totalSteps}: training loss=${loss}`, {
    type: 'metrics',
    data: {
      step: sim.step,
      total_steps: sim.totalSteps,
      train_loss: loss,
      train_mean_token_accuracy: 0.5,
      ...(sim.job.validation_file ? { valid_loss: Number((2.2 / (1 + sim.step)).toFixed(4)) } : {}),
    },
  });
  if (sim.failWith !== undefined) return finish(sim, nextId, 'failed');
  if (sim.step >= sim.totalSteps) finish(sim, nextId, 'succeeded');
}

export function finish(sim: SimJob, nextId: NextId, status: 'succeeded' | 'failed' | 'cancelled'): void {
  const { job } = sim;
  job.status = status;
  job.estimated_finish = null;
  if (status === 'cancelled') {
    addEvent(sim, nextId, 'Fine-tuning job cancelled');
    return;
  }
  job.finished_at = nowSeconds();
  if (status === 'failed') {
    const message = sim.failWith ?? 'The job failed due to an internal error.';
    job.error = { code: 'fake_failure', message, param: null };
    addEvent(sim, nextId, message, { level: 'error' });
    return;
  }
  job.fine_tuned_model = `ft:${job.model}:eos:${sim.suffix}:${job.id}`;
  job.trained_tokens = sim.tokensPerEpoch * EPOCHS;
  addEvent(sim, nextId, `New fine-tuned model created: ${job.fine_tuned_model}`);
  addEvent(sim, nextId, 'The job has successfully completed');
}

const ROLES = ['system', 'user', 'assistant', 'developer', 'tool'];

function messagesProblem(value: unknown, what: string): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return `${what} must be a non-empty array of messages`;
  for (const m of value as unknown[]) {
    if (typeof m !== 'object' || m === null) return `${what} contains a message that is not an object`;
    const { role, content } = m as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.includes(role)) return `${what} contains a message with an invalid role`;
    if (typeof content !== 'string') return `${what} contains a message without string content`;
  }
  return undefined;
}

function recordProblem(record: unknown, method: MethodType): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'each line must be a JSON object';
  const r = record as Record<string, unknown>;
  if (method === 'supervised') {
    const problem = messagesProblem(r['messages'], "'messages'");
    if (problem) return problem;
    const hasAssistant = (r['messages'] as { role: string }[]).some((m) => m.role === 'assistant');
    return hasAssistant ? undefined : "'messages' needs at least one assistant message";
  }
  const input = r['input'];
  const inputMessages = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)['messages'] : undefined;
  return (
    messagesProblem(inputMessages, "'input.messages'") ??
    messagesProblem(r['preferred_output'], "'preferred_output'") ??
    messagesProblem(r['non_preferred_output'], "'non_preferred_output'")
  );
}

/** Returns why the file is not valid training data for `method`, or undefined when it is. */
export function trainingFileProblem(content: Buffer, method: MethodType): string | undefined {
  const lines = content.toString('utf8').split('\n');
  let records = 0;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return `Invalid file format. Line ${index + 1} is not valid JSON.`;
    }
    const problem = recordProblem(record, method);
    if (problem) return `Invalid file format for ${method} fine-tuning. Line ${index + 1}: ${problem}.`;
    records++;
  }
  return records === 0 ? 'Invalid file format. The training file has no examples.' : undefined;
}
