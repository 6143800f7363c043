/**
 * Ports whose adapter is imported on first use. The openai SDK (about 240 modules) is not needed to reach READY:
 * the chat model and the embedder are built when the first reply or the first embedding asks for them. A failure
 * to build (an import error) rejects that call and the next one tries again.
 */
import type { Embedder } from './embeddings.js';
import type { ChatMessage, ChatModel, CompletionOptions } from './port.js';

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    }));
}

/** `description` is known before the model is built (logs and `!help` need it at start). */
export function lazyChatModel(description: string, load: () => Promise<ChatModel>): ChatModel {
  const model = once(load);
  return {
    description,
    async complete(messages: ChatMessage[], opts?: CompletionOptions) {
      return (await model()).complete(messages, opts);
    },
    async *stream(messages: ChatMessage[], opts?: CompletionOptions) {
      yield* (await model()).stream(messages, opts);
    },
  };
}

export function lazyEmbedder(shape: { model: string; maxBatch: number }, load: () => Promise<Embedder>): Embedder {
  const embedder = once(load);
  return {
    model: shape.model,
    maxBatch: shape.maxBatch,
    async embed(texts, opts) {
      return (await embedder()).embed(texts, opts);
    },
  };
}
