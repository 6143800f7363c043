import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { FineTuneService, formatJob, type JobView } from '../../src/finetune/index.js';
import { LlmError } from '../../src/llm/port.js';
import { loadOpenAiSpec } from '../llm-server/contract.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';
import { chatRecord, jsonl, makeDataset, preferenceRecord } from './helpers.js';

const spec = loadOpenAiSpec();
const BASE = 'gpt-4o-mini';
let fake: FakeLlm;
let service: FineTuneService;
let datasetDir: string;
let outDir: string;

beforeAll(async () => {
  datasetDir = await makeDataset({
    'positive.jsonl': jsonl([chatRecord(1), chatRecord(2), chatRecord(3)]),
    'preference.jsonl': jsonl([preferenceRecord(1), preferenceRecord(2)]),
  });
  outDir = path.join(path.dirname(path.dirname(datasetDir)), 'out');
});
afterAll(async () => {
  await rm(path.dirname(path.dirname(datasetDir)), { recursive: true, force: true });
});
beforeEach(async () => {
  fake = await startFakeLlm({ spec, models: [BASE] });
  service = new FineTuneService({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 });
});
afterEach(async () => {
  expect(fake.contractViolations).toEqual([]);
  await fake.close();
});

async function startSft(suffix = 'eos-test'): Promise<JobView> {
  const built = await service.buildTrainingFile({ datasetDir, method: 'sft', outDir });
  return service.start({ file: built.path, method: 'sft', baseModel: BASE, suffix });
}

async function followAll(id: string): Promise<{ updates: JobView[]; final: JobView }> {
  const updates: JobView[] = [];
  const final = await service.follow(id, { intervalMs: 1, onUpdate: async (job) => void updates.push(job) });
  return { updates, final };
}

function createBodies(): Record<string, unknown>[] {
  return fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/fine_tuning/jobs').map((r) => r.body as Record<string, unknown>);
}

describe('FineTuneService against the fake OpenAI server', () => {
  test('sft: uploads the training file, starts a supervised job and follows it to success', async () => {
    const built = await service.buildTrainingFile({ datasetDir, method: 'sft', outDir });
    const started = await service.start({ file: built.path, method: 'sft', baseModel: BASE, suffix: 'eos-test' });
    expect(started).toMatchObject({ status: 'validating_files', model: BASE, fineTunedModel: null, error: null });

    const [uploaded] = [...fake.fineTuning.files.values()];
    expect(uploaded?.object.purpose).toBe('fine-tune');
    expect(uploaded?.content.toString('utf8')).toBe(await readFile(built.path, 'utf8'));
    expect(createBodies()).toEqual([
      { model: BASE, training_file: uploaded?.object.id, method: { type: 'supervised' }, suffix: 'eos-test' },
    ]);

    const { updates, final } = await followAll(started.id);
    expect(updates.map((u) => u.progress)).toEqual(['queued', 'running', 'step 1/3', 'step 2/3', 'succeeded']);
    expect(final).toMatchObject({ status: 'succeeded', fineTunedModel: `ft:${BASE}:eos:eos-test:${started.id}`, error: null });
    expect(final.trainedTokens).toBeGreaterThan(0);
    expect(formatJob(final)).toContain(`ft:${BASE}:eos:eos-test:${started.id}`);
    expect(formatJob(updates[2]!)).toContain('step 1/3');
  });

  test('dpo: a preference file starts a dpo job', async () => {
    const built = await service.buildTrainingFile({ datasetDir, method: 'dpo', outDir });
    expect(built.records).toBe(2);
    const started = await service.start({ file: built.path, method: 'dpo', baseModel: BASE });
    expect(createBodies()[0]?.['method']).toEqual({ type: 'dpo' });
    expect(fake.fineTuning.job(started.id)?.method.type).toBe('dpo');
    const { final } = await followAll(started.id);
    expect(final.status).toBe('succeeded');
    expect(final.fineTunedModel).toBe(`ft:${BASE}:eos::${started.id}`);
  });

  test('a failing job reports the server error', async () => {
    fake.fineTuning.failNext('Training data contained too many invalid examples');
    const started = await startSft();
    const { updates, final } = await followAll(started.id);
    expect(final).toMatchObject({ status: 'failed', fineTunedModel: null, error: 'Training data contained too many invalid examples' });
    expect(updates.at(-1)).toEqual(final);
    expect(formatJob(final)).toContain('failed: Training data contained too many invalid examples');
    const next = await startSft(); // failNext applies to one job only
    expect((await followAll(next.id)).final.status).toBe('succeeded');
  });

  test('cancel stops a job; cancelling again is refused by the server', async () => {
    const started = await startSft();
    expect((await service.status(started.id)).status).toBe('queued');
    const cancelled = await service.cancel(started.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', progress: 'cancelled' });
    const { updates, final } = await followAll(started.id);
    expect(updates).toHaveLength(1);
    expect(final.status).toBe('cancelled');
    expect(formatJob(final)).toContain('was cancelled');
    const again = await service.cancel(started.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(UserError);
    expect((again as UserError).identifier).toBe('FineTuneRejected');
  });

  test.each([
    ['sft records uploaded for dpo', jsonl([chatRecord(1)]), 'dpo', 'Invalid file format for dpo fine-tuning. Line 1'],
    ['a file that is not JSONL', 'this is not json\n', 'sft', 'Line 1 is not valid JSON'],
  ] as const)('an invalid training file (%s) is rejected with the server message', async (_label, content, method, message) => {
    const file = path.join(outDir, `bad-${method}.jsonl`);
    await writeFile(file, content);
    const err = await service.start({ file, method, baseModel: BASE }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).identifier).toBe('FineTuneRejected');
    expect((err as UserError).message).toContain(message);
  });

  test('events are listed newest first with step metrics', async () => {
    const started = await startSft();
    for (let i = 0; i < 3; i++) await service.status(started.id); // queued, running, step 1
    const events = await service.events(started.id, 5);
    expect(events[0]?.step).toEqual({ step: 1, totalSteps: 3 });
    expect(events[0]?.message).toMatch(/^Step 1\/3/);
    expect(events.at(-1)?.message).toContain('Created fine-tuning job');
    expect(events.map((e) => e.createdAt)).toSatisfy((dates: Date[]) => dates.every((d) => d instanceof Date));
    expect(await service.events(started.id, 2)).toHaveLength(2);
  });

  test('unknown jobs, bad job ids and unknown base models', async () => {
    const missing = await service.status('ftjob-nope').catch((e: unknown) => e);
    expect((missing as UserError).identifier).toBe('FineTuneNotFound');
    const before = fake.requests.length;
    const bad = await service.status('../files/x').catch((e: unknown) => e);
    expect((bad as UserError).identifier).toBe('InvalidJobId');
    expect(fake.requests.length).toBe(before);
    const built = await service.buildTrainingFile({ datasetDir, method: 'sft', outDir });
    const model = await service.start({ file: built.path, method: 'sft', baseModel: 'gpt-9' }).catch((e: unknown) => e);
    expect((model as UserError).message).toContain('gpt-9');
  });

  test('follow stops when its signal is aborted', async () => {
    const started = await startSft();
    const controller = new AbortController();
    const seen: string[] = [];
    const following = service.follow(started.id, {
      intervalMs: 5,
      signal: controller.signal,
      onUpdate: async (job) => {
        seen.push(job.progress);
        if (job.status === 'running') controller.abort();
      },
    });
    await expect(following).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual(['queued', 'running']);
  });

  test('a given client is used as is; a wrong key is an LlmError that does not echo the key', async () => {
    const client = new OpenAI({ apiKey: 'sk-wrong-key-0123456789', baseURL: fake.baseURL, maxRetries: 0 });
    const wrong = new FineTuneService({ client });
    const err = await wrong.status('ftjob-fake-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).status).toBe(401);
    expect((err as LlmError).message).not.toContain('sk-wrong-key-0123456789');
  });
});
