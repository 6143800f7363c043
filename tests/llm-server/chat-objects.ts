/** Builds chat.completion and chat.completion.chunk objects that satisfy the OpenAI spec. */

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** Rough token count (4 characters a token), good enough for usage numbers in tests. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function makeUsage(promptText: string, completion: string): Usage {
  const prompt = estimateTokens(promptText);
  const out = estimateTokens(completion);
  return {
    prompt_tokens: prompt,
    completion_tokens: out,
    total_tokens: prompt + out,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export interface CompletionMeta {
  id: string;
  model: string;
  created: number;
}

export function makeCompletion(meta: CompletionMeta, text: string, usage: Usage) {
  return {
    id: meta.id,
    object: 'chat.completion' as const,
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: text, refusal: null, annotations: [] },
        finish_reason: 'stop' as const,
        logprobs: null,
      },
    ],
    usage,
    service_tier: 'default' as const,
  };
}

type Delta = { role?: 'assistant'; content?: string; refusal?: null };

/** The fields every chat.completion.chunk starts with. */
function chunkHead(meta: CompletionMeta) {
  return {
    id: meta.id,
    object: 'chat.completion.chunk' as const,
    created: meta.created,
    model: meta.model,
    service_tier: 'default' as const,
  };
}

export function makeChunk(meta: CompletionMeta, delta: Delta, finishReason: 'stop' | null) {
  return { ...chunkHead(meta), choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
}

/** The final usage chunk sent when stream_options.include_usage is set: no choices, usage filled. */
export function makeUsageChunk(meta: CompletionMeta, usage: Usage) {
  return { ...chunkHead(meta), choices: [], usage };
}

/**
 * All SSE payloads of one streamed answer, in order: role chunk, content chunks, finish chunk,
 * optional usage chunk. (`[DONE]` is written by the caller.)
 */
export function streamPayloads(meta: CompletionMeta, text: string, chunkSize: number, usage?: Usage): object[] {
  const size = Math.max(1, Math.floor(chunkSize));
  const payloads: object[] = [makeChunk(meta, { role: 'assistant', content: '', refusal: null }, null)];
  const chars = Array.from(text); // by code point, so emoji are never split
  for (let i = 0; i < chars.length; i += size) {
    payloads.push(makeChunk(meta, { content: chars.slice(i, i + size).join('') }, null));
  }
  payloads.push(makeChunk(meta, {}, 'stop'));
  if (usage) payloads.push(makeUsageChunk(meta, usage));
  return payloads;
}
