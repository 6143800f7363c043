/**
 * OpenAI-compatible fine-tuning (official openai SDK): OpenAI itself, Azure OpenAI's v1 API
 * (https://<resource>.openai.azure.com/openai/v1 with an `api-key` header and optional `api-version`), and any
 * server exposing the same /files and /fine_tuning/jobs routes.
 */
import { createReadStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type OpenAI from 'openai';
import { APIConnectionError, APIError } from 'openai';
import { createOpenAiClient } from '../../llm/openai-client.js';
import { redact } from '../../llm/openai-errors.js';
import { FineTuneError, fromHttpStatus, unreachable } from '../errors.js';
import type { BackendInfo, CreateJobRequest, FineTuneBackend, MetricPoint } from '../port.js';
import type { JobEvent, JobView } from '../types.js';
import { openAiBackendInfo } from './info.js';
import { toJobEvent, toJobView, toMetricPoints } from './view.js';

export interface OpenAiBackendOptions {
  apiKey?: string;
  /** Default https://api.openai.com/v1; Azure: https://<resource>.openai.azure.com/openai/v1. */
  baseURL?: string;
  /** Sent as `?api-version=` on every request (Azure); empty = none. */
  apiVersion?: string;
  /** 'api-key' sends the key in an `api-key` header (Azure) instead of `Authorization: Bearer`. */
  authHeader?: 'bearer' | 'api-key';
  /** Per request, default 120000 (uploads can be large). */
  timeoutMs?: number;
  /** Attempts after the first for connection errors, 408, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** Longest training example in tokens (default 65536, gpt-4.1-mini's training context). */
  contextTokens?: number;
}

const SERVICE = 'The fine-tuning API';
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,127}$/;
const PROGRESS_EVENTS = 10;

export class OpenAiFineTuneBackend implements FineTuneBackend {
  readonly info: BackendInfo;
  private readonly client: OpenAI;
  private readonly secret: string | undefined;
  private readonly maxRetries: number;

  constructor(opts: OpenAiBackendOptions = {}) {
    this.maxRetries = opts.maxRetries ?? 2;
    const base = createOpenAiClient({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      timeoutMs: opts.timeoutMs ?? 120_000,
      maxRetries: this.maxRetries,
    });
    const azureKey = opts.authHeader === 'api-key' ? { 'api-key': opts.apiKey ?? '', authorization: null } : {};
    this.client = base.withOptions({
      defaultHeaders: azureKey,
      ...(opts.apiVersion ? { defaultQuery: { 'api-version': opts.apiVersion } } : {}),
    });
    this.secret = opts.apiKey;
    this.info = openAiBackendInfo(opts);
  }

  async create(req: CreateJobRequest): Promise<JobView> {
    const training = await this.upload(req.trainingFile);
    const validation = req.validationFile ? await this.upload(req.validationFile) : null;
    const job = await this.call(() =>
      this.client.fineTuning.jobs.create({
        model: req.baseModel,
        training_file: training.id,
        ...(validation ? { validation_file: validation.id } : {}),
        method:
          req.method === 'sft'
            ? { type: 'supervised', supervised: { hyperparameters: { n_epochs: req.epochs } } }
            : { type: 'dpo', dpo: { hyperparameters: { n_epochs: req.epochs } } },
        ...(req.suffix ? { suffix: req.suffix } : {}),
      }),
    );
    return toJobView(job, []);
  }

  async status(jobId: string): Promise<JobView> {
    const id = checkJobId(jobId);
    const job = await this.call(() => this.client.fineTuning.jobs.retrieve(id));
    const events = job.status === 'running' ? await this.events(id, PROGRESS_EVENTS) : [];
    return toJobView(job, events);
  }

  async cancel(jobId: string): Promise<JobView> {
    const id = checkJobId(jobId);
    return toJobView(await this.call(() => this.client.fineTuning.jobs.cancel(id)), []);
  }

  async events(jobId: string, limit = 20): Promise<JobEvent[]> {
    const id = checkJobId(jobId);
    const page = await this.call(() => this.client.fineTuning.jobs.listEvents(id, { limit: Math.max(1, Math.min(100, limit)) }));
    return page.data.map(toJobEvent);
  }

  /** Reads every event page (newest first, 100 a page, at most 50 pages) and keeps the metrics events. */
  async metrics(jobId: string): Promise<MetricPoint[]> {
    const id = checkJobId(jobId);
    const all: OpenAI.FineTuning.FineTuningJobEvent[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await this.call(() => this.client.fineTuning.jobs.listEvents(id, { limit: 100, ...(after ? { after } : {}) }));
      all.push(...page.data);
      if (!page.has_more || page.data.length === 0) break;
      after = page.data.at(-1)!.id;
    }
    return toMetricPoints(all);
  }

  /** Streams the file; a stream cannot be replayed by the SDK, so retries open it again. */
  private async upload(file: string): Promise<OpenAI.FileObject> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.files.create({ file: createReadStream(file), purpose: 'fine-tune' }, { maxRetries: 0 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FineTuneError('config', `No such training file: ${file}`, false);
        const mapped = this.toError(err);
        if (attempt >= this.maxRetries || !mapped.retryable) throw mapped;
        await sleep(500 * 2 ** attempt);
      }
    }
  }

  private async call<T>(fn: () => PromiseLike<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.toError(err);
    }
  }

  private toError(err: unknown): FineTuneError {
    if (err instanceof FineTuneError) return err;
    if (err instanceof APIError && typeof err.status === 'number') {
      const body = err.error as { message?: unknown } | undefined;
      const message = typeof body?.message === 'string' && body.message !== '' ? body.message : err.message;
      return fromHttpStatus(err.status, redact(message, this.secret), SERVICE);
    }
    if (err instanceof APIConnectionError) return unreachable(SERVICE, new Error(redact(err.message, this.secret)));
    return unreachable(SERVICE, new Error(redact(err instanceof Error ? err.message : String(err), this.secret)));
  }
}

function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new FineTuneError('not_found', 'That is not a fine-tuning job id.', false);
  return jobId;
}
