/**
 * Together AI fine-tuning (https://api.together.ai/v1), after its published API reference
 * (github.com/togethercomputer/openapi, openapi.yaml: POST /files/upload, POST /fine-tunes, GET /fine-tunes/{id},
 * POST /fine-tunes/{id}/cancel, GET /fine-tunes/{id}/events, GET /fine-tunes/{id}/metrics). Together reads the
 * OpenAI chat and preference JSONL formats, so the files are the same as for OpenAI.
 */
import { FineTuneError } from '../errors.js';
import type { BackendInfo, CreateJobRequest, FineTuneBackend, MetricPoint } from '../port.js';
import type { JobEvent, JobView } from '../types.js';
import { TogetherHttp } from './http.js';
import { newestFirst, toJobView, toMetricPoints, type TogetherEvent, type TogetherJob } from './view.js';

export const DEFAULT_TOGETHER_BASE_URL = 'https://api.together.ai/v1';

export interface TogetherBackendOptions {
  apiKey: string;
  baseURL?: string;
  timeoutMs?: number;
  maxRetries?: number;
  /** Longest example in tokens (default 8192). */
  contextTokens?: number;
  /** Evaluations on the validation file during training (default 5 when there is one). */
  evals?: number;
}

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,127}$/;

export class TogetherFineTuneBackend implements FineTuneBackend {
  readonly info: BackendInfo;
  private readonly http: TogetherHttp;

  constructor(private readonly opts: TogetherBackendOptions) {
    const baseURL = (opts.baseURL ?? DEFAULT_TOGETHER_BASE_URL).replace(/\/+$/, '');
    this.http = new TogetherHttp({ baseURL, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs ?? 120_000, maxRetries: opts.maxRetries ?? 2 });
    this.info = {
      // Together's reference names no minimum number of examples (it checks files server-side), hence 1.
      kind: 'together',
      label: `Together AI (${baseURL})`,
      paid: true,
      minExamples: 1,
      contextTokens: opts.contextTokens ?? 8192,
      fileFormat: 'openai',
      switchOnSuccess: false,
    };
  }

  async create(req: CreateJobRequest): Promise<JobView> {
    const training = await this.http.upload<{ id: string }>(req.trainingFile);
    const validation = req.validationFile ? await this.http.upload<{ id: string }>(req.validationFile) : null;
    const job = await this.http.post<TogetherJob>('/fine-tunes', {
      training_file: training.id,
      ...(validation ? { validation_file: validation.id, n_evals: this.opts.evals ?? 5 } : {}),
      model: req.baseModel,
      n_epochs: req.epochs,
      ...(req.suffix ? { suffix: req.suffix } : {}),
      // train_on_inputs false: only assistant turns are trained (the reference types it boolean; 'auto' is its default).
      training_method: req.method === 'sft' ? { method: 'sft', train_on_inputs: false } : { method: 'dpo' },
    });
    return toJobView(job, []);
  }

  async status(jobId: string): Promise<JobView> {
    const job = await this.http.get<TogetherJob>(`/fine-tunes/${checkJobId(jobId)}`);
    const events = job.events ?? (await this.http.get<{ data: TogetherEvent[] }>(`/fine-tunes/${job.id}/events`)).data;
    return toJobView(job, events);
  }

  async cancel(jobId: string): Promise<JobView> {
    const job = await this.http.post<TogetherJob>(`/fine-tunes/${checkJobId(jobId)}/cancel`);
    return toJobView(job, []);
  }

  async events(jobId: string, limit = 20): Promise<JobEvent[]> {
    const page = await this.http.get<{ data: TogetherEvent[] }>(`/fine-tunes/${checkJobId(jobId)}/events`);
    return newestFirst(page.data).slice(0, Math.max(1, limit));
  }

  async metrics(jobId: string): Promise<MetricPoint[]> {
    const body = await this.http.get<{ metrics?: Record<string, unknown>[] }>(`/fine-tunes/${checkJobId(jobId)}/metrics`);
    return toMetricPoints(body.metrics ?? []);
  }
}

function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new FineTuneError('not_found', 'That is not a fine-tuning job id.', false);
  return encodeURIComponent(jobId);
}
