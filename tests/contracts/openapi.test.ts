import { OPENAI_SPEC_PATH } from '../llm-server/contract.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { findOperation, loadSpec, validateRequest, validateResponse, validateSchema, type LoadedSpec, type Operation } from './openapi.js';

const SPEC = OPENAI_SPEC_PATH;

let spec: LoadedSpec;
let chat: Operation;

beforeAll(() => {
  spec = loadSpec(SPEC);
  const op = findOperation(spec, 'POST', '/v1/chat/completions');
  if (!op) throw new Error('POST /chat/completions not found');
  chat = op;
});

const validCompletion = () => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-x',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

describe('findOperation', () => {
  test('matches with or without the server base path /v1', () => {
    expect(chat.template).toBe('/chat/completions');
    expect(chat.operationId).toBe('createChatCompletion');
    expect(findOperation(spec, 'post', '/chat/completions?x=1')?.operationId).toBe('createChatCompletion');
    expect(spec.basePath).toBe('/v1');
  });

  test('fills templated segments and prefers literal segments', () => {
    const byId = findOperation(spec, 'GET', '/v1/chat/completions/chatcmpl-42');
    expect(byId?.template).toBe('/chat/completions/{completion_id}');
    expect(byId?.pathParams).toEqual({ completion_id: 'chatcmpl-42' });
    const messages = findOperation(spec, 'GET', '/v1/chat/completions/abc/messages');
    expect(messages?.template).toBe('/chat/completions/{completion_id}/messages');
  });

  test('returns undefined for unknown paths and methods', () => {
    expect(findOperation(spec, 'POST', '/v1/nope')).toBeUndefined();
    expect(findOperation(spec, 'PATCH', '/v1/chat/completions')).toBeUndefined();
    expect(findOperation(spec, 'GET', '/v1/chat/completions/')).toBeUndefined();
  });
});

describe('validateRequest (POST /chat/completions)', () => {
  test('accepts a valid body', () => {
    const body = { model: 'gpt-x', messages: [{ role: 'user', content: 'hello', name: 'Bob' }], temperature: 0.5 };
    expect(validateRequest(chat, body)).toEqual([]);
    expect(validateRequest(chat, { ...body, stream: true, stream_options: { include_usage: true } })).toEqual([]);
  });

  test('rejects an invalid body with readable messages', () => {
    const errors = validateRequest(chat, { messages: [{ role: 'wizard', content: 'x' }], temperature: 'hot' });
    expect(errors).toHaveLength(1); // one line per failed check
    expect(errors[0]).toMatch(/^POST \/chat\/completions request: /);
    expect(errors[0]).toContain("/ must have required property 'model'");
    expect(errors[0]).toContain('/temperature must be number');
    // enum values of the message variants (oneOf branches) are merged; the oneOf error itself is left out
    expect(errors[0]).toMatch(/\/messages\/0\/role must be one of: "developer", "system", "user",/);
    expect(errors[0]).not.toContain('must match exactly one schema in oneOf');
  });

  test('requires a body and rejects a body the spec does not document', () => {
    expect(validateRequest(chat, undefined)).toEqual(['POST /chat/completions request: a request body is required']);
    const models = findOperation(spec, 'GET', '/v1/models');
    if (!models) throw new Error('GET /models not found');
    expect(validateRequest(models, undefined)).toEqual([]);
    expect(validateRequest(models, { a: 1 })[0]).toContain('defines no request body');
  });

  test('rejects an undocumented content type', () => {
    const errors = validateRequest(chat, 'model=x', 'application/x-www-form-urlencoded');
    expect(errors[0]).toContain('content type "application/x-www-form-urlencoded" is not documented');
  });
});

describe('validateResponse (POST /chat/completions)', () => {
  test('accepts a valid completion and rejects a broken one', () => {
    expect(validateResponse(chat, 200, validCompletion(), 'application/json')).toEqual([]);
    const broken = validCompletion() as Record<string, unknown>;
    delete broken['id'];
    broken['object'] = 'completion';
    expect(validateResponse(chat, 200, broken)).toEqual([
      `POST /chat/completions response 200: / must have required property 'id'; /object must be one of: "chat.completion"`,
    ]);
  });

  test('checks streamed chunks against the event-stream schema (finish_reason may be null)', () => {
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null, logprobs: null }],
    };
    expect(validateResponse(chat, 200, chunk, 'text/event-stream')).toEqual([]);
    const bad = { ...chunk, choices: [{ index: 0, delta: { content: 'hi' } }] };
    expect(validateResponse(chat, 200, bad, 'text/event-stream')).toEqual([
      "POST /chat/completions response 200: /choices/0 must have required property 'finish_reason'",
    ]);
  });

  test('reports undocumented statuses; error bodies can be checked against a component', () => {
    expect(validateResponse(chat, 500, {})[0]).toContain('status 500 is not documented');
    const good = { error: { message: 'x', type: 'server_error', param: null, code: null } };
    expect(validateResponse(chat, 429, good)).toEqual([]);
    expect(validateSchema(spec, '#/components/schemas/ErrorResponse', good)).toEqual([]);
    expect(validateSchema(spec, '#/components/schemas/ErrorResponse', { error: { message: 'x' } }, 'error')).toEqual([
      "error: /error must have required property 'type'; /error must have required property 'param'; " +
        "/error must have required property 'code'",
    ]);
  });
});

describe('multipart requests (POST /audio/transcriptions)', () => {
  test('validates present form fields, coerces strings, skips file fields', () => {
    const op = findOperation(spec, 'POST', '/v1/audio/transcriptions');
    if (!op) throw new Error('transcriptions not found');
    const form = 'multipart/form-data; boundary=xyz';
    expect(validateRequest(op, { file: Buffer.from('RIFF'), model: 'whisper-1', temperature: '0.2' }, form)).toEqual([]);
    const errors = validateRequest(op, { model: 'whisper-1', temperature: 'warm', bogus: '1' }, form);
    expect(errors).toEqual([
      'POST /audio/transcriptions request: missing required form field "file"',
      'POST /audio/transcriptions request field "temperature": / must be number',
      'POST /audio/transcriptions request: unexpected form field "bogus"',
    ]);
  });
});
