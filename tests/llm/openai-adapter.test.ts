/** Contract tests: the real openai-SDK adapter against the fake OpenAI-compatible server. */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { LoadedSpec } from '../contracts/openapi.js';
import { loadOpenAiSpec } from '../llm-server/contract.js';
import { startFakeLlm, type FakeLlm, type Route } from '../llm-server/index.js';
import { createOpenAiChatModel, type OpenAiChatModelOptions } from '../../src/llm/openai.js';
import { LlmError, type ChatMessage, type ChatModel } from '../../src/llm/port.js';

let spec: LoadedSpec;
let fake: FakeLlm | undefined;

beforeAll(() => {
  spec = loadOpenAiSpec();
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(extra: Partial<OpenAiChatModelOptions> = {}): Promise<{ fake: FakeLlm; model: ChatModel }> {
  fake = await startFakeLlm({ spec });
  const model = createOpenAiChatModel({ baseURL: fake.baseURL, apiKey: fake.apiKey, model: 'fake-model', ...extra });
  return { fake, model };
}

const hello: ChatMessage[] = [
  { role: 'system', content: 'You are Eos.' },
  { role: 'user', content: 'Hello there', name: 'Ada Lovelace' },
];

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const parts: string[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe('complete()', () => {
  test('returns the text and sends a spec-conforming request', async () => {
    const { fake, model } = await setup();
    fake.queue({ text: 'Hi Ada, nice to meet you.' });
    const text = await model.complete(hello, { temperature: 0.3, maxTokens: 50 });
    expect(text).toBe('Hi Ada, nice to meet you.');
    const [sent] = fake.chatRequests();
    expect(sent?.model).toBe('fake-model');
    expect(sent?.temperature).toBe(0.3);
    expect(sent?.max_tokens).toBe(50);
    expect(sent?.messages).toEqual([
      { role: 'system', content: 'You are Eos.' },
      { role: 'user', content: 'Hello there', name: 'Ada_Lovelace' },
    ]);
    expect(fake.contractViolations).toEqual([]);
  });

  test('uses the per-call model override and the default echo responder', async () => {
    const { fake, model } = await setup();
    expect(await model.complete([{ role: 'user', content: 'ping' }], { model: 'other-model' })).toBe('echo: ping');
    expect(fake.chatRequests()[0]?.model).toBe('other-model');
  });

  test('an empty answer is LlmError empty', async () => {
    const { fake, model } = await setup();
    fake.queue({ text: '   ' });
    expect((await failure(model.complete(hello))).kind).toBe('empty');
  });
});

describe('stream()', () => {
  test('yields several deltas that join to the full text', async () => {
    const { fake, model } = await setup();
    const answer = 'Streaming answers arrive in small pieces.';
    fake.queue({ text: answer, chunkSize: 5 });
    const parts = await collect(model.stream(hello));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('')).toBe(answer);
    expect(fake.chatRequests()[0]?.stream).toBe(true);
    expect(fake.contractViolations).toEqual([]);
  });

  test('a stream cut in the middle throws LlmError instead of ending quietly', async () => {
    const { fake, model } = await setup();
    fake.queue({ text: 'this answer will never be finished', chunkSize: 4, cutAfterChunks: 3 });
    const parts: string[] = [];
    const err = await failure(
      (async () => {
        for await (const part of model.stream(hello)) parts.push(part);
      })(),
    );
    expect(err.kind).toBe('network');
    const got = parts.join('');
    expect('this answer will never be finished'.startsWith(got)).toBe(true);
    expect(got.length).toBeLessThan(20);
  });

  test('a stream that closes cleanly without finish_reason throws LlmError', async () => {
    const early: Route = {
      method: 'POST',
      path: '/v1/chat/completions',
      handle: ({ res }) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
        const delta = { index: 0, delta: { content: 'half an ' }, finish_reason: null };
        res.end(`data: ${JSON.stringify({ ...chunk, choices: [delta] })}\n\n`);
      },
    };
    fake = await startFakeLlm({ spec, routes: [early] });
    const model = createOpenAiChatModel({ baseURL: fake.baseURL, apiKey: fake.apiKey, model: 'm' });
    const err = await failure(collect(model.stream(hello)));
    expect(err.kind).toBe('network');
    expect(err.message).toContain('ended before the model finished');
  });

  test('silence between chunks longer than timeoutMs is LlmError timeout', async () => {
    const { fake, model } = await setup({ timeoutMs: 300, maxRetries: 0 });
    fake.queue({ text: 'slow slow slow', chunkSize: 5, chunkDelayMs: 3000 });
    const started = Date.now();
    const err = await failure(collect(model.stream(hello)));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  test('aborting the signal mid-stream is LlmError aborted', async () => {
    const { fake, model } = await setup();
    fake.queue({ text: 'one two three four five six', chunkSize: 4, chunkDelayMs: 50 });
    const controller = new AbortController();
    const parts: string[] = [];
    const err = await failure(
      (async () => {
        for await (const part of model.stream(hello, { signal: controller.signal })) {
          parts.push(part);
          controller.abort();
        }
      })(),
    );
    expect(err.kind).toBe('aborted');
    expect(parts.join('').length).toBeLessThan('one two three four five six'.length);
  });
});

describe('failures', () => {
  test('HTTP 500 is LlmError http 500 after the configured retries', async () => {
    const { fake, model } = await setup({ maxRetries: 2 });
    fake.respondWith(() => ({ status: 500, error: 'the fake is on fire' }));
    const err = await failure(model.complete(hello));
    expect(err.kind).toBe('http');
    expect(err.status).toBe(500);
    expect(err.message).toContain('the fake is on fire');
    expect(fake.chatRequests()).toHaveLength(3);
    expect(fake.contractViolations).toEqual([]);
  });

  test('a wrong API key is LlmError http 401, not retried, key not leaked', async () => {
    fake = await startFakeLlm({ spec, apiKey: 'sk-right-key-123456' });
    const model = createOpenAiChatModel({ baseURL: fake.baseURL, apiKey: 'sk-wrong-key-987654', model: 'm' });
    const err = await failure(model.complete(hello));
    expect(err.kind).toBe('http');
    expect(err.status).toBe(401);
    expect(err.message).not.toContain('sk-wrong-key-987654');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.hasAuth).toBe(false);
    expect(fake.requests[0]?.headers['authorization']).toBeUndefined();
  });

  test('no answer within timeoutMs is LlmError timeout', async () => {
    const { fake, model } = await setup({ timeoutMs: 300, maxRetries: 0 });
    fake.queue({ hangMs: 10_000 });
    const started = Date.now();
    const err = await failure(model.complete(hello));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a JSON answer cut in the middle is LlmError network', async () => {
    const { fake, model } = await setup({ maxRetries: 0 });
    fake.queue({ text: 'never complete', cutAfterChunks: 1 });
    expect((await failure(model.complete(hello))).kind).toBe('network');
  });

  test('an unreachable server is LlmError network', async () => {
    const { fake: f } = await setup();
    const baseURL = f.baseURL;
    await f.close();
    fake = undefined;
    const model = createOpenAiChatModel({ baseURL, apiKey: 'k', model: 'm', maxRetries: 0 });
    expect((await failure(model.complete(hello))).kind).toBe('network');
  });

  test('an already aborted signal is LlmError aborted and sends nothing', async () => {
    const { fake, model } = await setup();
    const signal = AbortSignal.abort();
    expect((await failure(model.complete(hello, { signal }))).kind).toBe('aborted');
    expect((await failure(collect(model.stream(hello, { signal })))).kind).toBe('aborted');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('description and contract', () => {
  test('description names model and base URL, never the key', async () => {
    const { fake, model } = await setup();
    expect(model.description).toBe(`openai-compatible:fake-model @ ${fake.baseURL}`);
    expect(model.description).not.toContain(fake.apiKey);
  });

  test('the contract checker flags a bad request sent by hand', async () => {
    const { fake } = await setup();
    const response = await fetch(`${fake.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'wizard', content: 'abracadabra' }] }),
    });
    await response.text();
    expect(fake.contractViolations.length).toBeGreaterThan(0);
    expect(fake.contractViolations.some((v) => v.includes('/messages/0'))).toBe(true);
  });
});
