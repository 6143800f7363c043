/** The fake OpenAI-compatible server itself, driven with plain fetch. */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { LoadedSpec } from '../contracts/openapi.js';
import { loadOpenAiSpec } from './contract.js';
import { startFakeLlm, type FakeLlm } from './index.js';

let spec: LoadedSpec;
let fake: FakeLlm;

beforeAll(() => {
  spec = loadOpenAiSpec();
});

afterEach(async () => {
  await fake.close();
});

function post(path: string, body: unknown, key = fake.apiKey): Promise<Response> {
  return fetch(`${fake.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'fake-model',
  messages: [{ role: 'user', content }],
  ...extra,
});

/** Parsed `data:` payloads of an SSE body; '[DONE]' stays a string. */
async function sseData(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice(6))
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as unknown)));
}

describe('fake LLM server', () => {
  test('GET /v1/models lists the configured models', async () => {
    fake = await startFakeLlm({ spec, models: ['a', 'b'] });
    const response = await fetch(`${fake.baseURL}/models`, { headers: { authorization: `Bearer ${fake.apiKey}` } });
    const body = (await response.json()) as { object: string; data: { id: string }[] };
    expect(response.status).toBe(200);
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(['a', 'b']);
    expect(fake.contractViolations).toEqual([]);
  });

  test('requires the bearer key and answers 401 with an OpenAI error body', async () => {
    fake = await startFakeLlm({ spec, apiKey: 'sk-test-abc' });
    const response = await post('/chat/completions', chat('hi'), 'sk-nope');
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(response.status).toBe(401);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', hasAuth: false });
    expect(fake.requests[0]?.headers['authorization']).toBeUndefined();
    expect(fake.contractViolations).toEqual([]);
  });

  test('non-streamed answer: echo by default, queue first (FIFO), then the responder', async () => {
    fake = await startFakeLlm({ spec });
    const texts = async () => {
      const body = (await (await post('/chat/completions', chat('ping'))).json()) as {
        choices: { message: { content: string } }[];
      };
      return body.choices[0]?.message.content;
    };
    expect(await texts()).toBe('echo: ping');
    fake.queue({ text: 'first' }, { text: 'second' });
    fake.respondWith((req) => ({ text: `custom ${req.messages.length}` }));
    expect([await texts(), await texts(), await texts()]).toEqual(['first', 'second', 'custom 1']);
    expect(fake.chatRequests()).toHaveLength(4);
    expect(fake.contractViolations).toEqual([]);
  });

  test('streamed answer: role chunk, content chunks, stop, usage, [DONE]', async () => {
    fake = await startFakeLlm({ spec });
    fake.queue({ text: 'abcdefghij', chunkSize: 4 });
    const response = await post('/chat/completions', chat('x', { stream: true, stream_options: { include_usage: true } }));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await sseData(response);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as {
      choices: { delta: { content?: string }; finish_reason: string | null }[];
      usage?: { total_tokens: number };
    }[];
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', 'abcd', 'efgh', 'ij', null, null]);
    expect(chunks[4]?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks[5]?.choices).toEqual([]);
    expect(chunks[5]?.usage?.total_tokens).toBeGreaterThan(0);
    expect(fake.contractViolations).toEqual([]);
  });

  test('error replies carry the status and an OpenAI error body', async () => {
    fake = await startFakeLlm({ spec });
    fake.queue({ status: 503, error: 'overloaded' });
    const response = await post('/chat/completions', chat('x'));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('overloaded');
    expect(response.headers.get('retry-after-ms')).toBe('10');
    expect(fake.contractViolations).toEqual([]);
  });

  test('records contract violations for bad bodies, bad JSON and unknown operations', async () => {
    fake = await startFakeLlm({ spec });
    await (await post('/chat/completions', { model: 'm', messages: [] })).text();
    const badJson = await fetch(`${fake.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(badJson.status).toBe(400);
    const unknown = await post('/no/such/thing', {});
    expect(unknown.status).toBe(404);
    expect(fake.contractViolations.some((v) => v.includes('/messages') && v.includes('fewer than 1'))).toBe(true);
    expect(fake.contractViolations).toContain('POST /v1/chat/completions: request body is not valid JSON');
    expect(fake.contractViolations).toContain('POST /v1/no/such/thing: no such operation in the OpenAI spec');
  });

  test('contractCheck: false records nothing', async () => {
    fake = await startFakeLlm({ contractCheck: false });
    await (await post('/chat/completions', { model: 'm', messages: [] })).text();
    expect(fake.contractViolations).toEqual([]);
  });

  test('close() ends a hanging request', async () => {
    fake = await startFakeLlm({ spec });
    fake.queue({ hangMs: 60_000 });
    const pending = post('/chat/completions', chat('x')).then(
      () => 'answered',
      () => 'failed',
    );
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await fake.close();
    expect(await pending).toBe('failed');
  });
});
