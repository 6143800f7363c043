/** The openai SDK client and error mapping shared by the OpenAI speech-to-text and text-to-speech adapters. */
import type OpenAI from 'openai';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { redact } from '../../llm/openai-errors.js';
import { SpeechError } from '../ports.js';
import { createOpenAiClient } from '../../llm/openai-client.js';

export interface OpenAiSpeechClientOptions {
  /** A ready client; when given, apiKey/baseURL are ignored and timeoutMs/maxRetries apply only if set. */
  client?: OpenAI;
  apiKey?: string;
  /** Default 'https://api.openai.com/v1'. */
  baseURL?: string;
  /** Per attempt. Default 60000. */
  timeoutMs?: number;
  /** SDK retries for connection errors, 408, 409, 429 and 5xx. Default 2. */
  maxRetries?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;

export function speechClient(opts: OpenAiSpeechClientOptions): OpenAI {
  if (opts.client) return opts.client;
  return createOpenAiClient({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: opts.maxRetries ?? DEFAULT_MAX_RETRIES,
  });
}

/** Per-request options: the caller's signal plus explicit timeout/retries. */
export function requestOptions(opts: OpenAiSpeechClientOptions, signal: AbortSignal | undefined) {
  return {
    ...(signal ? { signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
  };
}

export function secretOf(opts: OpenAiSpeechClientOptions, client: OpenAI): string | undefined {
  return opts.apiKey ?? (typeof client.apiKey === 'string' ? client.apiKey : undefined);
}

function isAbort(err: unknown): boolean {
  return err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError');
}

/** Maps what the SDK throws onto SpeechError; `what` names the service, e.g. 'OpenAI transcription'. */
export function toSpeechError(err: unknown, what: string, signal: AbortSignal | undefined, secret?: string): SpeechError {
  if (err instanceof SpeechError) return err;
  const detail = redact(err instanceof Error ? err.message : String(err), secret);
  if (signal?.aborted || isAbort(err)) return new SpeechError('aborted', `${what} aborted`);
  if (err instanceof APIConnectionTimeoutError) return new SpeechError('timeout', `${what} timed out: ${detail}`);
  if (err instanceof APIConnectionError) return new SpeechError('network', `cannot reach the ${what} server: ${detail}`);
  if (err instanceof APIError && typeof err.status === 'number') {
    return new SpeechError('http', `${what} answered HTTP ${err.status}: ${detail}`, err.status);
  }
  return new SpeechError('network', `${what} failed: ${detail}`);
}
