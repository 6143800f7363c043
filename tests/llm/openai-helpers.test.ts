import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, InternalServerError } from 'openai';
import { describe, expect, test } from 'vitest';
import { safeBaseUrl } from '../../src/llm/openai.js';
import { toLlmError } from '../../src/llm/openai-errors.js';
import { sanitizeName, toWireMessage } from '../../src/llm/openai-messages.js';
import { LlmError } from '../../src/llm/port.js';

describe('message conversion', () => {
  test('names lose characters OpenAI rejects and are cut to 64', () => {
    expect(sanitizeName('Ada Lovelace')).toBe('Ada_Lovelace');
    expect(sanitizeName('a<b>|c/d\\e')).toBe('a_b_c_d_e');
    expect(sanitizeName('   ')).toBeUndefined();
    expect(sanitizeName('x'.repeat(100))).toHaveLength(64);
    expect(toWireMessage({ role: 'user', content: 'hi', name: ' \t ' })).toEqual({ role: 'user', content: 'hi' });
    expect(toWireMessage({ role: 'assistant', content: 'yo', name: 'Eos' })).toEqual({
      role: 'assistant',
      content: 'yo',
      name: 'Eos',
    });
  });
});

describe('safeBaseUrl', () => {
  test('drops credentials and query', () => {
    expect(safeBaseUrl('http://user:secret@host:8080/v1?key=abc')).toBe('http://host:8080/v1');
    expect(safeBaseUrl('not a url')).toBe('(invalid base URL)');
  });
});

describe('toLlmError', () => {
  test('maps SDK errors to kinds', () => {
    expect(toLlmError(new APIConnectionTimeoutError(), undefined).kind).toBe('timeout');
    expect(toLlmError(new APIConnectionError({ message: 'down' }), undefined).kind).toBe('network');
    expect(toLlmError(new APIUserAbortError(), undefined).kind).toBe('aborted');
    const http = toLlmError(new InternalServerError(502, { message: 'bad gateway' }, undefined, new Headers()), undefined);
    expect([http.kind, http.status]).toEqual(['http', 502]);
    expect(toLlmError(new TypeError('terminated'), undefined).kind).toBe('network');
    expect(toLlmError(new TypeError('x'), AbortSignal.abort()).kind).toBe('aborted');
    const same = new LlmError('empty', 'nothing');
    expect(toLlmError(same, undefined)).toBe(same);
  });

  test('redacts the secret from messages', () => {
    const err = toLlmError(new Error('bad key sk-secret-123456 given'), undefined, 'sk-secret-123456');
    expect(err.message).not.toContain('sk-secret-123456');
    expect(err.message).toContain('***');
  });
});
