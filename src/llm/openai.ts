/** ChatModel adapter for any OpenAI-compatible Chat Completions API, on the official openai SDK. */
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { toLlmError } from './openai-errors.js';
import { toWireMessage } from './openai-messages.js';
import { streamCompletion } from './openai-stream.js';
import { LlmError, type ChatMessage, type ChatModel, type CompletionOptions } from './port.js';
import { createOpenAiClient, DEFAULT_OPENAI_BASE_URL } from './openai-client.js';
import { openAiModelDescription } from './safe-url.js';

export { safeBaseUrl } from './safe-url.js';

export interface OpenAiChatModelOptions {
  /** A ready client; when given, apiKey/baseURL are ignored and timeoutMs/maxRetries apply only if set. */
  client?: OpenAI;
  apiKey?: string;
  /** Default 'https://api.openai.com/v1'. */
  baseURL?: string;
  model: string;
  /** Per attempt, and for streams also the longest silence between two chunks. Default 60000. */
  timeoutMs?: number;
  /** SDK retries for connection errors, 408, 409, 429 and 5xx. Default 2. */
  maxRetries?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;

function buildClient(opts: OpenAiChatModelOptions): OpenAI {
  return createOpenAiClient({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: opts.maxRetries ?? DEFAULT_MAX_RETRIES,
  });
}

export function createOpenAiChatModel(opts: OpenAiChatModelOptions): ChatModel {
  const client = opts.client ?? buildClient(opts);
  const secret = opts.apiKey ?? (typeof client.apiKey === 'string' ? client.apiKey : undefined);
  const timeoutMs = opts.timeoutMs ?? (opts.client ? client.timeout : DEFAULT_TIMEOUT_MS);
  const requestOptions = (signal: AbortSignal | undefined) => ({
    ...(signal ? { signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
  });
  const body = (messages: ChatMessage[], o: CompletionOptions): ChatCompletionCreateParamsNonStreaming => ({
    model: o.model ?? opts.model,
    messages: messages.map(toWireMessage),
    ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    ...(o.maxTokens !== undefined ? { max_tokens: o.maxTokens } : {}),
  });

  return {
    description: openAiModelDescription(opts.model, client.baseURL),

    async complete(messages, o = {}) {
      if (o.signal?.aborted) throw new LlmError('aborted', 'LLM request aborted before it started');
      let response: OpenAI.Chat.ChatCompletion;
      try {
        response = await client.chat.completions.create(body(messages, o), requestOptions(o.signal));
      } catch (err) {
        throw toLlmError(err, o.signal, secret);
      }
      const usage = (response as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
      if (o.onUsage && typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
        o.onUsage({ promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens });
      }
      return textOf(response, o.model ?? opts.model);
    },

    stream(messages, o = {}) {
      return streamCompletion({
        start: (signal) => client.chat.completions.create({ ...body(messages, o), stream: true }, requestOptions(signal)),
        callerSignal: o.signal,
        idleTimeoutMs: timeoutMs,
        fail: (err, signal) => toLlmError(err, signal, secret),
      });
    },
  };
}

function textOf(response: OpenAI.Chat.ChatCompletion, model: string): string {
  if (typeof response !== 'object' || response === null || !Array.isArray(response.choices)) {
    throw new LlmError('empty', 'the answer is not a chat completion (is baseURL an OpenAI-compatible /v1 endpoint?)');
  }
  const text = response.choices[0]?.message?.content;
  if (typeof text !== 'string' || text.trim() === '') {
    const reason = response.choices[0]?.finish_reason ?? 'no choice';
    throw new LlmError('empty', `model ${model} returned no text (finish_reason: ${reason})`);
  }
  return text;
}
