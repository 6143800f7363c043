/**
 * The memory with embeddings from an OpenAI-compatible endpoint: the fake LLM server's POST /v1/embeddings
 * (built from OpenAI's API reference; its contract checker validates every request and answer).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createOpenAiClient } from '../../../src/llm/openai-client.js';
import { createOpenAiEmbedder } from '../../../src/llm/openai-embeddings.js';
import { LlmError } from '../../../src/llm/port.js';
import { JsonlExampleMemory } from '../../../src/memory/examples.js';
import { startFakeLlm, type FakeLlm } from '../../llm-server/index.js';
import { datasetDir, record } from './helpers.js';

let fake: FakeLlm;
beforeEach(async () => {
  fake = await startFakeLlm();
});
afterEach(async () => {
  expect(fake.contractViolations).toEqual([]);
  await fake.close();
});

const embedder = (model = 'text-embedding-3-small') =>
  createOpenAiEmbedder({
    client: createOpenAiClient({ apiKey: fake.apiKey, baseURL: fake.baseURL, timeoutMs: 5000, maxRetries: 0 }),
    model,
  });

/** Scripted "meaning": texts about the same topic get the same direction whatever their words. */
const TOPICS: [RegExp, number][] = [
  [/password|log ?in|credential/i, 0],
  [/ocean|sea|pacific/i, 1],
  [/bread|bak/i, 2],
];
function topicVector(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0.01);
  for (const [re, i] of TOPICS) if (re.test(text)) v[i] = 1;
  return v;
}

describe('OpenAI embedder', () => {
  test('returns one vector per input in order, asking for floats', async () => {
    const vs = await embedder().embed(['alpha', 'beta', '']);
    expect(vs).toHaveLength(3);
    expect(vs[0]).toBeInstanceOf(Float32Array);
    expect(vs[0]!.length).toBe(64);
    expect(fake.embeddings.calls[0]).toEqual({ model: 'text-embedding-3-small', input: ['alpha', 'beta', ' '] });
    expect((fake.requests.at(-1)?.body as { encoding_format?: string }).encoding_format).toBe('float');
  });

  test('an endpoint without /embeddings is "unavailable" (no retry can help)', async () => {
    fake.embeddings.enabled = false;
    const err = await embedder()
      .embed(['x'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('unavailable');
  });
});

describe('JsonlExampleMemory with embeddings', () => {
  test('finds a paraphrase with no word in common, and embeds only appended records', async () => {
    fake.embeddings.embedWith(topicVector);
    const d = await datasetDir([
      record('How do I reset my password?', 'Use the Forgot password link.'),
      record('Which ocean is the biggest?', 'The Pacific.'),
    ]);
    const memory = new JsonlExampleMemory(d.dir, () => 'default', { embedder: embedder() });
    const [best] = await memory.search('I cannot log in, credentials lost', 1);
    expect(best?.answer).toBe('Use the Forgot password link.');
    expect(memory.status().mode).toBe('embeddings');
    const embeddedTexts = () => fake.embeddings.calls.flatMap((c) => c.input);
    expect(embeddedTexts().filter((t) => t === 'How do I reset my password?')).toHaveLength(1);
    await d.append(record('How do I bake bread?', 'Flour, water, salt.'));
    const [bread] = await memory.search('sourdough baking tips', 1);
    expect(bread?.answer).toBe('Flour, water, salt.');
    const records = embeddedTexts().filter((t) => /password|ocean|bread\?/.test(t));
    expect(records).toEqual(['How do I reset my password?', 'Which ocean is the biggest?', 'How do I bake bread?']);
  });

  test('vectors are cached on disk: a restarted memory embeds nothing but the query', async () => {
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'eos-vec-'));
    const d = await datasetDir([
      record('How do I reset my password?', 'Forgot password link.'),
      record('Which ocean is the biggest?', 'The Pacific.'),
    ]);
    const first = new JsonlExampleMemory(d.dir, () => 'default', { embedder: embedder(), cacheDir });
    expect((await first.search('biggest ocean', 1))[0]?.answer).toBe('The Pacific.');
    await first.close();
    const before = fake.embeddings.calls.length;
    const second = new JsonlExampleMemory(d.dir, () => 'default', { embedder: embedder(), cacheDir });
    expect((await second.search('reset password', 1))[0]?.answer).toBe('Forgot password link.');
    expect(fake.embeddings.calls.slice(before).map((c) => c.input)).toEqual([['reset password']]);
    await second.close();
  });

  test('an endpoint without /embeddings: matched by words, and not asked again', async () => {
    fake.embeddings.enabled = false;
    const d = await datasetDir([record('How do I bake bread?', 'Flour.')]);
    const memory = new JsonlExampleMemory(d.dir, () => 'default', { embedder: embedder() });
    expect((await memory.search('bake bread', 1))[0]?.answer).toBe('Flour.');
    const asked = fake.requests.filter((r) => r.path === '/v1/embeddings').length;
    expect(asked).toBeGreaterThan(0);
    expect((await memory.search('bread', 1))[0]?.answer).toBe('Flour.');
    expect(fake.requests.filter((r) => r.path === '/v1/embeddings').length).toBe(asked);
    expect(memory.status().mode).toBe('lexical');
  });

  test('a failing endpoint (HTTP 500) falls back to words for that search only', async () => {
    const d = await datasetDir([record('How do I bake bread?', 'Flour.')]);
    const memory = new JsonlExampleMemory(d.dir, () => 'default', { embedder: embedder() });
    fake.embeddings.embedWith(() => {
      throw new Error('boom');
    });
    expect((await memory.search('bake bread', 1))[0]?.answer).toBe('Flour.');
    fake.embeddings.embedWith(topicVector);
    expect((await memory.search('baking', 1))[0]?.answer).toBe('Flour.');
    expect(memory.status().mode).toBe('embeddings');
  });

  test('a dataset over maxEmbedded is matched by words and never embedded', async () => {
    const d = await datasetDir([
      record('How do I bake bread?', 'Flour.'),
      record('Which ocean is the biggest?', 'The Pacific.'),
      record('How do I exit vim?', ':q!'),
    ]);
    const memory = new JsonlExampleMemory(d.dir, () => 'default', { embedder: embedder(), maxEmbedded: 2 });
    expect((await memory.search('exit vim', 1))[0]?.answer).toBe(':q!');
    expect(memory.status().mode).toBe('lexical');
    expect(fake.embeddings.calls).toEqual([]);
  });
});
