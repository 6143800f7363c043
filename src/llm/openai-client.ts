import OpenAI from 'openai';
import { DEFAULT_OPENAI_BASE_URL } from './safe-url.js';

export { DEFAULT_OPENAI_BASE_URL } from './safe-url.js';

export interface OpenAiClientOptions {
  apiKey?: string;
  baseURL?: string;
  timeoutMs: number;
  maxRetries: number;
}

/**
 * The one place an OpenAI SDK client is built: from explicit options only, never from the
 * OPENAI_* environment variables the SDK would otherwise read by itself.
 */
export function createOpenAiClient(opts: OpenAiClientOptions): OpenAI {
  return new OpenAI({
    apiKey: opts.apiKey ?? 'no-key',
    baseURL: opts.baseURL ?? DEFAULT_OPENAI_BASE_URL,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    timeout: opts.timeoutMs,
    maxRetries: opts.maxRetries,
  });
}
