/** The files and fine-tuning routes of the fake server, driven with the raw openai client. */
import OpenAI, { toFile } from 'openai';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';
import { chatRecord, jsonl } from './helpers.js';
import { loadOpenAiSpec } from '../llm-server/contract.js';

const spec = loadOpenAiSpec();
let fake: FakeLlm;
let client: OpenAI;

beforeEach(async () => {
  fake = await startFakeLlm({ spec, models: ['base-a'] });
  client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 });
});
afterEach(async () => {
  expect(fake.contractViolations).toEqual([]);
  await fake.close();
});

async function upload(text: string, purpose: 'fine-tune' | 'batch' = 'fine-tune') {
  return client.files.create({ file: await toFile(Buffer.from(text), 'train.jsonl'), purpose });
}

describe('fake /v1/files', () => {
  test('stores the uploaded bytes and returns a File object; GET finds it, unknown ids are 404', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from('{"a":1}\n'), 'train.jsonl'), purpose: 'fine-tune' });
    expect(file).toMatchObject({ object: 'file', bytes: 8, filename: 'train.jsonl', purpose: 'fine-tune' });
    expect(fake.fineTuning.files.get(file.id)?.content.toString()).toBe('{"a":1}\n');
    expect(await client.files.retrieve(file.id)).toEqual(file);
    await expect(client.files.retrieve('file-nope')).rejects.toMatchObject({ status: 404 });
  });
});

describe('fake /v1/fine_tuning/jobs', () => {
  test('jobs are listed newest first with cursor pagination', async () => {
    const file = await upload(jsonl([chatRecord(1)]));
    const a = await client.fineTuning.jobs.create({ model: 'base-a', training_file: file.id });
    const b = await client.fineTuning.jobs.create({ model: 'base-a', training_file: file.id });
    const c = await client.fineTuning.jobs.create({ model: 'base-a', training_file: file.id });
    const first = await client.fineTuning.jobs.list({ limit: 2 });
    expect(first.data.map((j) => j.id)).toEqual([c.id, b.id]);
    expect(first.has_more).toBe(true);
    const next = await client.fineTuning.jobs.list({ limit: 2, after: b.id });
    expect(next.data.map((j) => j.id)).toEqual([a.id]);
    expect(next.has_more).toBe(false);
  });

  test('the job walks validating_files → queued → running → succeeded, one stage per GET', async () => {
    fake.fineTuning.totalSteps = 2;
    const file = await upload(jsonl([chatRecord(1)]));
    const job = await client.fineTuning.jobs.create({ model: 'base-a', training_file: file.id, suffix: 'x' });
    const seen = [job.status];
    for (let i = 0; i < 5; i++) seen.push((await client.fineTuning.jobs.retrieve(job.id)).status);
    expect(seen).toEqual(['validating_files', 'queued', 'running', 'running', 'succeeded', 'succeeded']);
    const done = fake.fineTuning.job(job.id);
    expect(done?.fine_tuned_model).toBe(`ft:base-a:eos:x:${job.id}`);
    expect(done?.finished_at).toEqual(expect.any(Number));
    const events = await client.fineTuning.jobs.listEvents(job.id, { limit: 100 });
    const steps = events.data.filter((e) => e.type === 'metrics').map((e) => (e.data as { step: number }).step);
    expect(steps).toEqual([2, 1]);
  });

  test.each([
    ['an unknown file', () => ({ model: 'base-a', training_file: 'file-missing' }), 'no such file'],
    ['an unknown model', (id: string) => ({ model: 'base-z', training_file: id }), 'base-z'],
    ['a file with no examples', 'EMPTY', 'no examples'],
    ['a batch file', 'BATCH', "purpose 'fine-tune'"],
  ] as const)('refuses %s with a 400 OpenAI error', async (_label, make, message) => {
    const file = await upload(make === 'EMPTY' ? '\n' : jsonl([chatRecord(1)]), make === 'BATCH' ? 'batch' : 'fine-tune');
    const body = typeof make === 'function' ? make(file.id) : { model: 'base-a', training_file: file.id };
    const err = await client.fineTuning.jobs.create(body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(message);
  });

  test('uploads that are not multipart are refused and recorded as contract violations', async () => {
    const res = await fetch(`${fake.baseURL}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'text/plain' },
      body: 'raw',
    });
    expect(res.status).toBe(400);
    expect(fake.contractViolations).toEqual(['POST /v1/files: the request body is not multipart/form-data']);
    fake.contractViolations.length = 0;
  });
});
