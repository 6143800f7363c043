/**
 * Fine-tuning on any backend behind the port: builds the training/validation files and the report, starts
 * jobs, and follows them. Knows nothing about chat; the follower and the commands use it.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FineTuneError, isFineTuneError } from './errors.js';
import { BASE_MODEL_SETTING, pricePerMillion, resolveBaseModel } from './models.js';
import type { BackendInfo, FineTuneBackend, MetricPoint } from './port.js';
import type { DatasetReport } from './report.js';
import { buildTrainingFiles } from './training-file.js';
import { isTerminal, type FineTuneMethod, type JobEvent, type JobView } from './types.js';

export interface FineTuneServiceOptions {
  backend: FineTuneBackend;
  /** training.baseModel: '' = the backend's default. */
  baseModel: string;
  epochs: number;
  validationSplit: number;
  pricePerMillionTokens: number | null;
  /** Overrides the backend's minimum example count. */
  minExamples: number | null;
  /** Overrides the backend's context length. */
  contextTokens: number | null;
  /** Where training files are written. */
  workDir: string;
}

export interface PreparedJob {
  report: DatasetReport;
  trainingFile: string | null;
  validationFile: string | null;
}

export interface FollowOptions {
  intervalMs: number;
  /** Called with the new view whenever status or progress changed (and once at the start). */
  onUpdate: (job: JobView) => Promise<void>;
  signal?: AbortSignal;
  /** Polls that may fail in a row (retryable errors only) before follow gives up. Default 5. */
  maxPollFailures?: number;
}

export class FineTuneService {
  readonly info: BackendInfo;

  constructor(private readonly opts: FineTuneServiceOptions) {
    this.info = { ...opts.backend.info, ...(opts.contextTokens ? { contextTokens: opts.contextTokens } : {}) };
  }

  /** The base model jobs start from (throws a FineTuneError naming the setting when unset or retired). */
  baseModel(): string {
    return resolveBaseModel(this.opts.baseModel, this.info.kind);
  }

  /** Builds the files and the report; spends nothing. */
  async prepare(datasetDir: string, method: FineTuneMethod): Promise<PreparedJob> {
    const baseModel = this.baseModel();
    const files = await buildTrainingFiles({
      datasetDir,
      method,
      outDir: this.opts.workDir,
      validationSplit: this.opts.validationSplit,
      contextTokens: this.info.contextTokens,
      format: this.info.fileFormat,
    });
    const price = pricePerMillion(this.info.kind, baseModel, method, this.opts.pricePerMillionTokens);
    const minExamples = this.opts.minExamples ?? this.info.minExamples;
    const report: DatasetReport = {
      ...files,
      dataset: path.basename(datasetDir),
      method,
      backend: this.info,
      baseModel,
      epochs: this.opts.epochs,
      pricePerMillion: price,
      costPerEpoch: price === null ? null : (files.trainingTokens / 1_000_000) * price,
      minExamples,
      enough: files.train >= minExamples,
    };
    return { report, trainingFile: files.training, validationFile: files.validation };
  }

  /**
   * Starts the prepared job. Refuses too little data; names the setting when the backend does not know the model.
   * The prepared files are deleted afterwards either way (uploaded, or copied into the local job's folder).
   */
  async start(job: PreparedJob, suffix = 'eos'): Promise<JobView> {
    try {
      return await this.create(job, suffix);
    } finally {
      await this.discard(job);
    }
  }

  private async create(job: PreparedJob, suffix: string): Promise<JobView> {
    const { report } = job;
    if (!report.enough || !job.trainingFile) {
      const unit = report.method === 'sft' ? 'examples' : 'preference pairs';
      throw new FineTuneError(
        'rejected',
        `Not enough data: ${report.backend.kind} needs at least ${report.minExamples} training ${unit}, **${report.dataset}** has ${report.train}.`,
        false,
      );
    }
    try {
      return await this.opts.backend.create({
        method: report.method,
        baseModel: report.baseModel,
        trainingFile: job.trainingFile,
        validationFile: job.validationFile,
        epochs: report.epochs,
        suffix,
      });
    } catch (err) {
      if (isFineTuneError(err) && err.kind === 'rejected' && err.message.includes(report.baseModel)) {
        throw new FineTuneError(
          'model',
          `${err.message}\nThe base model \`${report.baseModel}\` cannot be fine-tuned here: set ${BASE_MODEL_SETTING}.`,
          false,
          err.status,
        );
      }
      throw err;
    }
  }

  /** Deletes the files of a job that will not start. */
  async discard(job: PreparedJob): Promise<void> {
    await Promise.all([job.trainingFile, job.validationFile].filter((f): f is string => f !== null).map((f) => rm(f, { force: true })));
  }

  status(jobId: string): Promise<JobView> {
    return this.opts.backend.status(jobId);
  }

  cancel(jobId: string): Promise<JobView> {
    return this.opts.backend.cancel(jobId);
  }

  events(jobId: string, limit?: number): Promise<JobEvent[]> {
    return this.opts.backend.events(jobId, limit);
  }

  metrics(jobId: string): Promise<MetricPoint[]> {
    return this.opts.backend.metrics(jobId);
  }

  async close(): Promise<void> {
    await this.opts.backend.close?.();
  }

  /** Polls until the job succeeded, failed or was cancelled; returns the final view. */
  async follow(jobId: string, opts: FollowOptions): Promise<JobView> {
    let last = '';
    let failures = 0;
    const wait = () => sleep(opts.intervalMs, undefined, opts.signal ? { signal: opts.signal } : {});
    for (;;) {
      opts.signal?.throwIfAborted();
      let job: JobView;
      try {
        job = await this.status(jobId);
        failures = 0;
      } catch (err) {
        if (!isFineTuneError(err) || !err.retryable || ++failures >= (opts.maxPollFailures ?? 5)) throw err;
        await wait();
        continue;
      }
      const key = JSON.stringify(job);
      if (key !== last) await opts.onUpdate(job);
      last = key;
      if (isTerminal(job.status)) return job;
      await wait();
    }
  }
}
