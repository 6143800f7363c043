/** Fine-tuning over the OpenAI-compatible files and fine-tuning API (official openai SDK). */
import { createReadStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type OpenAI from 'openai';
import { createOpenAiClient } from '../llm/openai-client.js';
import { UserError } from '../core/errors.js';
import { LlmError } from '../llm/port.js';
import { isRetryable, toFineTuneError } from './errors.js';
import { buildTrainingFile, type BuildTrainingFileOptions, type TrainingFile } from './training-file.js';
import { isTerminal, type FineTuneMethod, type JobEvent, type JobView } from './types.js';
import { toJobEvent, toJobView } from './view.js';

export interface FineTuneServiceOptions {
  /** A ready client; when given, apiKey/baseURL/timeoutMs are ignored. */
  client?: OpenAI;
  apiKey?: string;
  /** Default 'https://api.openai.com/v1'. */
  baseURL?: string;
  /** Per request. Default 120000 (uploads can be large). */
  timeoutMs?: number;
  /** Attempts after the first for connection errors, 408, 429 and 5xx (uploads included). Default 2. */
  maxRetries?: number;
}

export interface StartOptions {
  /** Path of a JSONL file, e.g. from buildTrainingFile. */
  file: string;
  method: FineTuneMethod;
  baseModel: string;
  suffix?: string;
}

export interface FollowOptions {
  intervalMs: number;
  /** Called with the new view whenever status or progress changed (and once at the start). */
  onUpdate: (job: JobView) => Promise<void>;
  signal?: AbortSignal;
  /** Polls that may fail in a row (transient errors only) before follow gives up. Default 5. */
  maxPollFailures?: number;
}

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,127}$/;
const PROGRESS_EVENTS = 10;

export class FineTuneService {
  private readonly client: OpenAI;
  private readonly secret: string | undefined;
  private readonly maxRetries: number;

  constructor(opts: FineTuneServiceOptions = {}) {
    this.maxRetries = opts.maxRetries ?? 2;
    this.client =
      opts.client ??
      createOpenAiClient({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeoutMs: opts.timeoutMs ?? 120_000, maxRetries: this.maxRetries });
    this.secret = opts.apiKey ?? (typeof this.client.apiKey === 'string' ? this.client.apiKey : undefined);
  }

  buildTrainingFile(opts: BuildTrainingFileOptions): Promise<TrainingFile> {
    return buildTrainingFile(opts);
  }

  /** Uploads the file (purpose 'fine-tune') and creates the job. */
  async start(opts: StartOptions): Promise<JobView> {
    const uploaded = await this.upload(opts.file);
    const job = await this.call(() =>
      this.client.fineTuning.jobs.create({
        model: opts.baseModel,
        training_file: uploaded.id,
        method: { type: opts.method === 'sft' ? 'supervised' : 'dpo' },
        ...(opts.suffix ? { suffix: opts.suffix } : {}),
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

  /** The latest `limit` events, newest first. */
  async events(jobId: string, limit = 20): Promise<JobEvent[]> {
    const id = checkJobId(jobId);
    const page = await this.call(() => this.client.fineTuning.jobs.listEvents(id, { limit: Math.max(1, Math.min(100, limit)) }));
    return page.data.map(toJobEvent);
  }

  /** Polls until the job succeeded, failed or was cancelled; returns the final view. */
  async follow(jobId: string, opts: FollowOptions): Promise<JobView> {
    let last = '';
    let failures = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      let job: JobView;
      try {
        job = await this.status(jobId);
        failures = 0;
      } catch (err) {
        if (!isTransient(err) || ++failures >= (opts.maxPollFailures ?? 5)) throw err;
        await sleep(opts.intervalMs, undefined, opts.signal ? { signal: opts.signal } : {});
        continue;
      }
      const key = JSON.stringify(job);
      if (key !== last) await opts.onUpdate(job);
      last = key;
      if (isTerminal(job.status)) return job;
      await sleep(opts.intervalMs, undefined, opts.signal ? { signal: opts.signal } : {});
    }
  }

  /** Streams the file; a stream cannot be replayed by the SDK, so retries open it again. */
  private async upload(file: string): Promise<OpenAI.FileObject> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.files.create({ file: createReadStream(file), purpose: 'fine-tune' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError('NoTrainingFile', `No such training file: ${file}`);
        if (attempt >= this.maxRetries || !isRetryable(err)) throw toFineTuneError(err, this.secret);
        await sleep(500 * 2 ** attempt);
      }
    }
  }

  private async call<T>(fn: () => PromiseLike<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toFineTuneError(err, this.secret);
    }
  }
}

function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new UserError('InvalidJobId', 'That is not a fine-tuning job id.');
  return jobId;
}

/** LlmErrors of kind network/timeout/http 5xx/429 are worth another poll. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof LlmError)) return false;
  if (err.kind === 'network' || err.kind === 'timeout') return true;
  return err.kind === 'http' && (err.status === undefined || err.status === 429 || err.status >= 500);
}
