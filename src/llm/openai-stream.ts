/** Turns an SDK chunk stream into text deltas; every way it can go wrong ends in an LlmError. */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { LlmError } from './port.js';

export interface StreamDeps {
  /** Starts the request with the given signal (caller's signal combined with the idle watchdog). */
  start(signal: AbortSignal): Promise<AsyncIterable<ChatCompletionChunk>>;
  callerSignal: AbortSignal | undefined;
  /** Longest allowed silence between chunks (the SDK timeout only covers the wait for headers). */
  idleTimeoutMs: number;
  /** Maps an SDK/transport error. */
  fail(err: unknown, callerSignal: AbortSignal | undefined): LlmError;
}

function watchdog(ms: number, onFire: () => void) {
  let timer: NodeJS.Timeout | undefined;
  return {
    arm() {
      clearTimeout(timer);
      timer = setTimeout(onFire, ms);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/**
 * Yields content deltas. Throws LlmError: 'aborted' (caller's signal), 'timeout' (silence longer than
 * idleTimeoutMs), 'network' (connection cut, or the stream ended without a finish_reason), 'empty' (no text).
 */
export async function* streamCompletion(deps: StreamDeps): AsyncGenerator<string, void, undefined> {
  const { callerSignal } = deps;
  if (callerSignal?.aborted) throw new LlmError('aborted', 'LLM stream aborted before it started');
  const idle = new AbortController();
  const signal = callerSignal ? AbortSignal.any([callerSignal, idle.signal]) : idle.signal;
  const dog = watchdog(deps.idleTimeoutMs, () => idle.abort());
  const stopped = (): LlmError | undefined => {
    if (callerSignal?.aborted) return new LlmError('aborted', 'LLM stream aborted');
    if (idle.signal.aborted) return new LlmError('timeout', `LLM stream silent for more than ${deps.idleTimeoutMs} ms`);
    return undefined;
  };
  let finished = false;
  let text = '';
  try {
    let chunks: AsyncIterable<ChatCompletionChunk>;
    try {
      chunks = await deps.start(signal);
    } catch (err) {
      throw stopped() ?? deps.fail(err, callerSignal);
    }
    dog.arm(); // before this point the SDK's own timeout and retries apply
    try {
      for await (const chunk of chunks) {
        dog.stop();
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finished = true;
        const delta = choice?.delta?.content;
        if (delta) {
          text += delta;
          yield delta;
        }
        dog.arm();
      }
    } catch (err) {
      throw stopped() ?? deps.fail(err, callerSignal);
    }
  } finally {
    dog.stop();
  }
  const halt = stopped();
  if (halt) throw halt;
  if (!finished) throw new LlmError('network', 'the LLM stream ended before the model finished (connection cut?)');
  if (text.trim() === '') throw new LlmError('empty', 'the model streamed no text');
}
