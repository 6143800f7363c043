/** The OpenAI-compatible adapter: the port's conformance suite against the fake OpenAI server, directly and behind an Azure-style gateway. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FineTuneError, FineTuneService } from '../../src/finetune/index.js';
import { OpenAiFineTuneBackend } from '../../src/finetune/openai/backend.js';
import { loadOpenAiSpec } from '../llm-server/contract.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';
import { startAzureProxy, type AzureProxy } from '../providers/azure/proxy.js';
import { fineTuneConformance } from './conformance.js';
import { chatRecord, jsonl, makeDataset } from './helpers.js';

const spec = loadOpenAiSpec();
const BASE = 'gpt-4.1-mini-2025-04-14';

fineTuneConformance('OpenAI-compatible', async () => {
  const fake = await startFakeLlm({ spec, models: [BASE] });
  return {
    backend: new OpenAiFineTuneBackend({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 }),
    baseModel: BASE,
    failNext: (m) => fake.fineTuning.failNext(m),
    longJobs: () => void (fake.fineTuning.totalSteps = 100_000),
    failRequests: null,
    checksModels: true,
    violations: () => fake.contractViolations,
    close: () => fake.close(),
  };
});

fineTuneConformance('Azure OpenAI v1 (api-key header, api-version)', async () => {
  const fake = await startFakeLlm({ spec, models: [BASE] });
  const azure = await startAzureProxy(fake, { apiVersion: 'preview' });
  return {
    backend: new OpenAiFineTuneBackend({
      apiKey: azure.apiKey,
      baseURL: azure.baseURL,
      authHeader: 'api-key',
      apiVersion: 'preview',
      maxRetries: 0,
    }),
    baseModel: BASE,
    failNext: (m) => fake.fineTuning.failNext(m),
    longJobs: () => void (fake.fineTuning.totalSteps = 100_000),
    failRequests: (n) => azure.failRequests(n),
    checksModels: true,
    violations: () => [...fake.contractViolations, ...azure.refused],
    close: async () => {
      await azure.close();
      await fake.close();
    },
  };
});

describe('OpenAI adapter specifics', () => {
  let fake: FakeLlm;
  beforeEach(async () => {
    fake = await startFakeLlm({ spec, models: [BASE] });
  });
  afterEach(async () => {
    expect(fake.contractViolations).toEqual([]);
    await fake.close();
  });

  test('uploads training and validation files and asks for the method with its epochs', async () => {
    const dir = await makeDataset({ 'positive.jsonl': jsonl(Array.from({ length: 30 }, (_, i) => chatRecord(i))) });
    const service = new FineTuneService({
      backend: new OpenAiFineTuneBackend({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 }),
      baseModel: '',
      epochs: 3,
      validationSplit: 0.2,
      pricePerMillionTokens: null,
      minExamples: null,
      contextTokens: null,
      workDir: `${dir}/../work`,
    });
    const prepared = await service.prepare(dir, 'sft');
    expect(prepared.report.baseModel).toBe(BASE); // the backend default, not a retired model
    expect(prepared.report.pricePerMillion).toBe(5);
    await service.start(prepared, 'eos');
    const body = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/fine_tuning/jobs')!.body as Record<string, unknown>;
    const files = [...fake.fineTuning.files.values()];
    expect(files.map((f) => f.object.purpose)).toEqual(['fine-tune', 'fine-tune']);
    expect(body).toEqual({
      model: BASE,
      training_file: files[0]!.object.id,
      validation_file: files[1]!.object.id,
      suffix: 'eos',
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 3 } } },
    });
    const lines = (i: number) => files[i]!.content.toString('utf8').trim().split('\n').length;
    expect(lines(0) + lines(1)).toBe(30);
    expect(lines(0)).toBe(prepared.report.train);
  });

  test('a wrong key is a non-retryable auth error that does not echo the key', async () => {
    const backend = new OpenAiFineTuneBackend({ apiKey: 'sk-wrong-key-0123456789', baseURL: fake.baseURL, maxRetries: 0 });
    const err = await backend.status('ftjob-fake-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FineTuneError);
    expect(err).toMatchObject({ kind: 'auth', retryable: false, status: 401 });
    expect((err as Error).message).not.toContain('sk-wrong-key-0123456789');
  });

  test('an unreachable server is retryable', async () => {
    const backend = new OpenAiFineTuneBackend({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, timeoutMs: 2000 });
    const err = await backend.status('ftjob-1').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true });
  });
});

describe('Azure-style gateway', () => {
  let fake: FakeLlm;
  let azure: AzureProxy;
  beforeEach(async () => {
    fake = await startFakeLlm({ spec, models: [BASE] });
    azure = await startAzureProxy(fake, { apiVersion: '2025-04-01-preview' });
  });
  afterEach(async () => {
    await azure.close();
    await fake.close();
  });

  test('a Bearer-only client is refused by Azure; the api-key client gets through', async () => {
    const bearer = new OpenAiFineTuneBackend({
      apiKey: azure.apiKey,
      baseURL: azure.baseURL,
      maxRetries: 0,
      apiVersion: '2025-04-01-preview',
    });
    expect(await bearer.events('ftjob-x').catch((e: unknown) => e)).toMatchObject({ kind: 'auth' });
    const keyed = new OpenAiFineTuneBackend({
      apiKey: azure.apiKey,
      baseURL: azure.baseURL,
      authHeader: 'api-key',
      apiVersion: '2025-04-01-preview',
      maxRetries: 0,
    });
    expect(await keyed.status('ftjob-x').catch((e: unknown) => e)).toMatchObject({ kind: 'not_found' });
    expect(azure.forwarded).toBe(1);
  });
});
