/** The local trainer adapter: the port's conformance suite with a fake trainer command (fake-trainer.mjs), and its own rules. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FineTuneError, FineTuneService } from '../../src/finetune/index.js';
import { LocalTrainerBackend, type LocalTrainerOptions } from '../../src/finetune/local/backend.js';
import { parseTrainerOutput } from '../../src/finetune/local/progress.js';
import { LocalJobStore, type LocalJob } from '../../src/finetune/local/jobs.js';
import { mkdir } from 'node:fs/promises';
import { fineTuneConformance } from './conformance.js';
import { chatRecord, fakeTrainerCommand, jsonl, makeDataset } from './helpers.js';

async function world(opts: Partial<LocalTrainerOptions> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'eos-local-ft-'));
  const control = path.join(dir, 'control.json');
  await writeFile(control, JSON.stringify({ steps: 4, delayMs: 5 }));
  const backend = new LocalTrainerBackend({
    command: fakeTrainerCommand(control),
    workDir: path.join(dir, 'jobs'),
    servedModel: 'eos-{job_id}',
    format: 'trl-completion',
    ...opts,
  });
  return { dir, control, backend };
}

fineTuneConformance('local trainer (fake trainer command)', async () => {
  const w = await world();
  return {
    backend: w.backend,
    baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
    failNext: (m) => void writeFile(w.control, JSON.stringify({ steps: 4, delayMs: 5, fail: m })),
    longJobs: () => void writeFile(w.control, JSON.stringify({ steps: 100_000, delayMs: 20 })),
    failRequests: null,
    checksModels: false,
    violations: () => [],
    close: async () => {
      await w.backend.close();
      await rm(w.dir, { recursive: true, force: true });
    },
  };
});

describe('local trainer specifics', () => {
  let datasetDir: string;
  beforeAll(async () => {
    datasetDir = await makeDataset({ 'positive.jsonl': jsonl(Array.from({ length: 6 }, (_, i) => chatRecord(i))) });
  });
  afterAll(async () => {
    await rm(path.dirname(path.dirname(datasetDir)), { recursive: true, force: true });
  });
  const service = (backend: LocalTrainerBackend, workDir: string, baseModel = 'Qwen/Qwen2.5-0.5B-Instruct') =>
    new FineTuneService({
      backend,
      baseModel,
      epochs: 1,
      validationSplit: 0,
      pricePerMillionTokens: null,
      minExamples: null,
      contextTokens: null,
      workDir,
    });

  test('the trainer reads TRL prompt-completion files; the served name comes from EOS_SERVED_MODEL when printed; output is kept', async () => {
    const w = await world();
    await writeFile(w.control, JSON.stringify({ steps: 3, delayMs: 1, served: 'qwen-eos:latest' }));
    const s = service(w.backend, w.dir);
    const prepared = await s.prepare(datasetDir, 'sft');
    expect(prepared.report.backend.paid).toBe(false);
    const job = await s.start(prepared);
    const final = await s.follow(job.id, { intervalMs: 5, onUpdate: async () => undefined });
    expect(final).toMatchObject({ status: 'succeeded', fineTunedModel: 'qwen-eos:latest' });
    const jobDir = path.join(w.dir, 'jobs', job.id);
    expect(JSON.parse((await readFile(path.join(jobDir, 'train.jsonl'), 'utf8')).split('\n')[0]!)).toHaveProperty('completion');
    expect(await readFile(path.join(jobDir, 'output', 'adapter_config.json'), 'utf8')).toContain('Qwen2.5-0.5B');
    expect(await readFile(path.join(jobDir, 'output.log'), 'utf8')).toContain("{'loss'");
    await rm(w.dir, { recursive: true, force: true });
  });

  test('no command configured, or a command that does not exist: a reply naming training.local.command', async () => {
    const w = await world({ command: [] });
    const err = await service(w.backend, w.dir)
      .start(await service(w.backend, w.dir).prepare(datasetDir, 'sft'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FineTuneError);
    expect((err as Error).message).toContain('training.local.command');
    const missing = new LocalTrainerBackend({
      command: ['/nonexistent/train.sh'],
      workDir: path.join(w.dir, 'jobs'),
      servedModel: 'x',
      format: 'trl',
    });
    const s = service(missing, w.dir);
    const job = await s.start(await s.prepare(datasetDir, 'sft'));
    const final = await s.follow(job.id, { intervalMs: 5, onUpdate: async () => undefined });
    expect(final.status).toBe('failed');
    expect(final.error).toContain('training.local.command');
    await rm(w.dir, { recursive: true, force: true });
  });

  test('after a restart, a job whose trainer is gone is reported failed, with where its output is', async () => {
    const w = await world();
    await writeFile(w.control, JSON.stringify({ steps: 100_000, delayMs: 20 }));
    const s = service(w.backend, w.dir);
    const job = await s.start(await s.prepare(datasetDir, 'sft'));
    const file = path.join(w.dir, 'jobs', job.id, 'job.json');
    const saved = await readFile(file, 'utf8');
    await w.backend.close(); // the trainer is stopped, as when Eos goes down
    await writeFile(file, saved); // job.json as it was while running, with the old pid
    const after = new LocalTrainerBackend({
      command: fakeTrainerCommand(w.control),
      workDir: path.join(w.dir, 'jobs'),
      servedModel: 'x',
      format: 'trl',
    });
    const view = await after.status(job.id);
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/Eos restarted while the trainer ran; its output is in .*output\.log/);
    await rm(w.dir, { recursive: true, force: true });
  });
});

describe('local job state', () => {
  test('saves of one job land whole and in call order (a trainer may end while its first save is being written)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eos-local-jobs-'));
    const store = new LocalJobStore(dir);
    const job: LocalJob = {
      id: 'local-x-1',
      status: 'running',
      model: 'm',
      servedModel: 's',
      error: null,
      exitCode: null,
      pid: 1,
      createdAt: '',
      finishedAt: null,
    };
    await mkdir(store.dir(job.id), { recursive: true });
    const saves = Array.from({ length: 20 }, (_, i) => store.save({ ...job, status: i === 19 ? 'failed' : 'running', exitCode: i }));
    await Promise.all(saves);
    expect(await store.read(job.id)).toMatchObject({ status: 'failed', exitCode: 19 });
    await rm(dir, { recursive: true, force: true });
  });
});

describe('trainer output parsing', () => {
  test('Hugging Face Trainer output: progress bars with \\r, loss dicts at the bar step, eval loss, the summary ignored', () => {
    const out = [
      '\r  0%|          | 0/4 [00:00<?, ?it/s]\r 25%|##5       | 1/4 [00:01<00:03,  1.00it/s]',
      "{'loss': 1.8, 'grad_norm': 2.1, 'learning_rate': 2e-05, 'epoch': 0.25}",
      '\r 50%|#####     | 2/4 [00:02<00:02,  1.00it/s]',
      "{'loss': 1.2, 'grad_norm': 1.1, 'learning_rate': 1e-05, 'epoch': 0.5}",
      "{'eval_loss': 1.4, 'eval_runtime': 0.2, 'epoch': 0.5}",
      '\r 75%|#######5  | 3/4 [00:03<00:01,  1.00it/s]',
      "{'train_runtime': 4.0, 'train_loss': 1.3, 'epoch': 1.0}",
    ].join('\n');
    const p = parseTrainerOutput(out);
    expect(p).toMatchObject({ step: 3, totalSteps: 4 });
    expect(p.metrics).toEqual([
      { step: 1, trainLoss: 1.8, validLoss: null },
      { step: 2, trainLoss: 1.2, validLoss: 1.4 },
    ]);
  });

  test('JSON lines with step and total_steps, plain "step n/m" text, and the served model line', () => {
    const p = parseTrainerOutput(
      '{"step": 5, "total_steps": 50, "loss": 0.7, "eval_loss": 0.9}\nStep 6/50 done\nEOS_SERVED_MODEL=llama-eos\n',
    );
    expect(p).toMatchObject({ step: 6, totalSteps: 50, servedModel: 'llama-eos' });
    expect(p.metrics).toEqual([{ step: 5, trainLoss: 0.7, validLoss: 0.9 }]);
  });
});
