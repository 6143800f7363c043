/**
 * A local trainer for open models: Eos writes the dataset in the trainer's format, runs the operator's command
 * (a TRL, Unsloth or axolotl script...), follows its progress from the output (progress.ts), and on success names
 * the model the serving endpoint (vLLM, Ollama...) will know it by. Each job has a folder under `workDir`:
 * job.json (state, rewritten atomically), output.log (everything the command printed), and the files it trains on.
 * The command is an argv array (no shell); placeholders: {train_file} {validation_file} {output_dir} {base_model}
 * {method} {epochs} {job_id} {served_model}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ExportFormat } from '../../datasets/export-formats.js';
import { FineTuneError } from '../errors.js';
import type { BackendInfo, CreateJobRequest, FineTuneBackend, MetricPoint } from '../port.js';
import type { JobEvent, JobView } from '../types.js';
import { alive, LocalJobStore, type LocalJob } from './jobs.js';
import { ProgressParser, parseTrainerOutput } from './progress.js';

export interface LocalTrainerOptions {
  /** argv of the trainer; empty = not configured. */
  command: readonly string[];
  /** Folder for job folders. */
  workDir: string;
  /** Name the served result gets; placeholders {job_id} {base_model} {suffix}. The trainer may print EOS_SERVED_MODEL=<name> instead. */
  servedModel: string;
  format: Exclude<ExportFormat, 'openai'> | 'openai';
  contextTokens?: number;
  switchOnSuccess?: boolean;
  log?: Logger;
}

const JOB_ID = /^local-[a-z0-9-]{1,64}$/;
const COMMAND_SETTING = 'training.local.command (eos.config.json)';

export class LocalTrainerBackend implements FineTuneBackend {
  readonly info: BackendInfo;
  private readonly jobs: LocalJobStore;
  private readonly running = new Map<string, { job: LocalJob; child: ChildProcess; parser: ProgressParser; done: Promise<void> }>();

  constructor(private readonly opts: LocalTrainerOptions) {
    this.jobs = new LocalJobStore(opts.workDir);
    this.info = {
      kind: 'local',
      label: `local trainer (${opts.command[0] ?? 'no command set'})`,
      paid: false,
      minExamples: 1,
      contextTokens: opts.contextTokens ?? 4096,
      fileFormat: opts.format,
      switchOnSuccess: opts.switchOnSuccess ?? true,
    };
  }

  async create(req: CreateJobRequest): Promise<JobView> {
    if (this.opts.command.length === 0) throw new FineTuneError('config', `No local trainer command: set ${COMMAND_SETTING}.`, false);
    const id = `local-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const dir = this.jobs.dir(id);
    await mkdir(path.join(dir, 'output'), { recursive: true });
    const train = path.join(dir, 'train.jsonl');
    await copyFile(req.trainingFile, train);
    const valid = req.validationFile ? path.join(dir, 'validation.jsonl') : '';
    if (req.validationFile) await copyFile(req.validationFile, valid);
    const served = fill(this.opts.servedModel, { job_id: id, base_model: req.baseModel, suffix: req.suffix ?? 'eos' });
    const values = {
      train_file: train,
      validation_file: valid,
      output_dir: path.join(dir, 'output'),
      base_model: req.baseModel,
      method: req.method,
      epochs: String(req.epochs),
      job_id: id,
      served_model: served,
    };
    const argv = this.opts.command.map((a) => fill(a, values));
    const job: LocalJob = {
      id,
      status: 'running',
      model: req.baseModel,
      servedModel: served,
      error: null,
      exitCode: null,
      pid: null,
      createdAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.launch(job, argv, dir);
    await this.jobs.save(job);
    return this.view(job);
  }

  async status(jobId: string): Promise<JobView> {
    const job = await this.load(jobId);
    return job.status === 'running' && !this.running.has(job.id) ? this.view(job, await this.jobs.output(job.id)) : this.view(job);
  }

  async cancel(jobId: string): Promise<JobView> {
    const job = await this.load(jobId);
    const run = this.running.get(job.id);
    if (!run && job.status === 'running' && alive(job.pid)) {
      process.kill(-job.pid!, 'SIGTERM'); // started by another Eos process (e.g. the CLI)
      const stopped: LocalJob = { ...job, status: 'cancelled', pid: null, finishedAt: new Date().toISOString() };
      await this.jobs.save(stopped);
      return this.view(stopped);
    }
    if (!run)
      throw new FineTuneError(
        'rejected',
        `Job ${job.id} has already ${job.status === 'cancelled' ? 'been cancelled' : 'finished'}.`,
        false,
      );
    run.job.status = 'cancelled';
    killGroup(run.child);
    await run.done;
    return this.view(run.job);
  }

  async events(jobId: string, limit = 20): Promise<JobEvent[]> {
    const job = await this.load(jobId);
    const lines = (await this.jobs.output(job.id))
      .split(/\r\n|\r|\n/)
      .filter((l) => l.trim() !== '')
      .slice(-Math.max(1, limit));
    // Output lines carry no time of their own: newest first, one millisecond apart, ending now.
    const now = Date.now();
    return lines
      .reverse()
      .map((message, i) => ({ id: `${job.id}#${i}`, createdAt: new Date(now - i), level: 'info' as const, message, step: null }));
  }

  async metrics(jobId: string): Promise<MetricPoint[]> {
    const job = await this.load(jobId);
    return parseTrainerOutput(await this.jobs.output(job.id)).metrics;
  }

  /** Stops running trainers (Eos is shutting down); their jobs end as failed. */
  async close(): Promise<void> {
    const runs = [...this.running.values()];
    for (const r of runs) {
      r.job.error = 'Eos stopped while the trainer ran.';
      killGroup(r.child);
    }
    await Promise.all(runs.map((r) => r.done));
  }

  private launch(job: LocalJob, argv: string[], dir: string): void {
    const log = createWriteStream(path.join(dir, 'output.log'), { flags: 'a' });
    const parser = new ProgressParser();
    const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log.write(text);
      parser.push(text);
      tail.push(...text.split(/\r?\n/).filter((l) => l.trim()));
      tail.splice(0, Math.max(0, tail.length - 5));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const done = new Promise<void>((resolve) => {
      const end = (code: number | null, spawnError?: Error) => {
        parser.end();
        job.exitCode = code;
        job.pid = null;
        job.finishedAt = new Date().toISOString();
        const served = parser.snapshot().servedModel;
        if (served) job.servedModel = served;
        if (job.status !== 'cancelled') {
          const ok = code === 0 && !job.error;
          job.status = ok ? 'succeeded' : 'failed';
          if (!ok)
            job.error =
              job.error ??
              (spawnError
                ? `the trainer command could not start (${spawnError.message}); check ${COMMAND_SETTING}`
                : `the trainer exited with code ${code}: ${tail.slice(-2).join(' | ').slice(0, 300)}`);
        }
        log.end();
        // Leave `running` only once job.json holds the outcome: status() would otherwise read the stale file.
        this.jobs
          .save(job)
          .catch((err: unknown) => this.opts.log?.warn({ err, jobId: job.id }, 'local job state not saved'))
          .finally(() => {
            this.running.delete(job.id);
            resolve();
          });
      };
      child.once('error', (err) => end(null, err));
      child.once('close', (code) => end(code));
    });
    job.pid = child.pid ?? null;
    this.running.set(job.id, { job, child, parser, done });
    this.opts.log?.info({ jobId: job.id, command: argv[0] }, 'local trainer started');
  }

  private view(job: LocalJob, output?: string): JobView {
    const live = this.running.get(job.id)?.parser.snapshot() ?? (output !== undefined ? parseTrainerOutput(output) : undefined);
    const progress = job.status === 'running' && live?.step != null ? `step ${live.step}/${live.totalSteps ?? '?'}` : job.status;
    return {
      id: job.id,
      status: job.status,
      model: job.model,
      fineTunedModel: job.status === 'succeeded' ? job.servedModel : null,
      trainedTokens: null,
      error: job.error,
      progress,
    };
  }
  /** The job in memory, else from job.json (a job whose trainer is gone after a restart is reported as failed). */
  private async load(jobId: string): Promise<LocalJob> {
    if (!JOB_ID.test(jobId)) throw new FineTuneError('not_found', 'That is not a local fine-tuning job id.', false);
    const live = this.running.get(jobId);
    if (live) return live.job;
    const job = await this.jobs.read(jobId);
    if (!job) throw new FineTuneError('not_found', `Not found: no local fine-tuning job ${jobId}.`, false);
    if ((job.status === 'running' || job.status === 'queued' || job.status === 'validating_files') && !alive(job.pid)) {
      const where = path.join(this.jobs.dir(jobId), 'output.log');
      const failed: LocalJob = {
        ...job,
        status: 'failed',
        pid: null,
        error: `Eos restarted while the trainer ran; its output is in ${where}.`,
        finishedAt: new Date().toISOString(),
      };
      await this.jobs.save(failed);
      return failed;
    }
    return job;
  }
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** SIGTERM to the trainer's process group (it was started detached, as a group leader). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}
