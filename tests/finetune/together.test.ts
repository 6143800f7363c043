/**
 * The Together AI adapter: the port's conformance suite against a local fake of Together's fine-tuning API, built
 * from Together's published reference (github.com/togethercomputer/openapi openapi.yaml; see tests/providers/together/spec.ts).
 * Together cannot be reached from the tests: this is the contract as published, not a recording.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FineTuneService } from '../../src/finetune/index.js';
import { TogetherFineTuneBackend } from '../../src/finetune/together/backend.js';
import { startFakeTogether, type FakeTogether } from '../providers/together/server.js';
import { fineTuneConformance } from './conformance.js';
import { jsonl, makeDataset, preferenceRecord } from './helpers.js';

const BASE = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference';

fineTuneConformance('Together AI', async () => {
  const fake = await startFakeTogether({ models: [BASE] });
  return {
    backend: new TogetherFineTuneBackend({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 }),
    baseModel: BASE,
    failNext: (m) => fake.failNext(m),
    longJobs: () => void (fake.totalSteps = 100_000),
    failRequests: (n) => fake.failRequests(n, 503),
    checksModels: true,
    violations: () => fake.contractViolations,
    close: () => fake.close(),
  };
});

describe('Together adapter specifics', () => {
  let fake: FakeTogether;
  beforeEach(async () => {
    fake = await startFakeTogether({ models: [BASE] });
  });
  afterEach(async () => {
    expect(fake.contractViolations).toEqual([]);
    await fake.close();
  });

  test('uploads as multipart with purpose/file_name/file_type, creates a DPO job with n_epochs, reads the output model name', async () => {
    const dir = await makeDataset({ 'preference.jsonl': jsonl(Array.from({ length: 3 }, (_, i) => preferenceRecord(i))) });
    const service = new FineTuneService({
      backend: new TogetherFineTuneBackend({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 }),
      baseModel: '',
      epochs: 2,
      validationSplit: 0,
      pricePerMillionTokens: null,
      minExamples: null,
      contextTokens: null,
      workDir: `${dir}/../work`,
    });
    const prepared = await service.prepare(dir, 'dpo');
    expect(prepared.report.baseModel).toBe(BASE);
    expect(prepared.report.costPerEpoch).toBeNull(); // Together publishes no per-model price in its API
    const job = await service.start(prepared, 'eos');
    const upload = fake.requests.find((r) => r.path === '/v1/files/upload')!;
    expect(upload.body).toEqual(['purpose', 'file_name', 'file_type', 'file']);
    const create = fake.requests.find((r) => r.path === '/v1/fine-tunes')!.body as Record<string, unknown>;
    expect(create).toMatchObject({ model: BASE, n_epochs: 2, suffix: 'eos', training_method: { method: 'dpo' } });
    expect(create).not.toHaveProperty('validation_file');
    expect([...fake.files.values()][0]!.content.trim().split('\n')).toHaveLength(3);
    const final = await service.follow(job.id, { intervalMs: 1, onUpdate: async () => undefined });
    expect(final.fineTunedModel).toMatch(/^eos-user\/Meta-Llama-3\.1-8B-Instruct-Reference-eos-/);
    expect(final.trainedTokens).toBe(1234);
  });

  test('the fake checks requests against the published schema (a request off the reference is flagged)', async () => {
    const post = (body: unknown) =>
      fetch(`${fake.baseURL}/fine-tunes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post({ model: BASE, training_file: 'file-x', n_epochs: 'three', training_method: { method: 'ppo' } });
    expect(fake.contractViolations.join('\n')).toMatch(/POST \/fine-tunes request: .*n_epochs must be integer/);
    expect(fake.contractViolations.join('\n')).toMatch(/training_method/);
    fake.contractViolations.length = 0;
  });

  test('a wrong key is a non-retryable auth error without the key in it', async () => {
    const backend = new TogetherFineTuneBackend({ apiKey: 'wrong-key-abcdef', baseURL: fake.baseURL, maxRetries: 0 });
    const err = await backend.status('ft-1').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
    expect((err as Error).message).not.toContain('wrong-key-abcdef');
  });
});
