import type { ChatMessage, ChatModel, CompletionOptions } from '../llm/port.js';

/**
 * A command's view of the chat model where every call uses the user's rate limit (e.g. each `!test`
 * case and judge call). The first call is free: the command itself was already charged one unit.
 * `charge` throws (a UserError) when the user is over the limit; no request is made then.
 */
export function meteredModel(model: ChatModel, charge: () => void): ChatModel {
  let free = 1;
  const take = () => {
    if (free > 0) free--;
    else charge();
  };
  return {
    get description() {
      return model.description;
    },
    complete(messages: ChatMessage[], opts?: CompletionOptions): Promise<string> {
      try {
        take();
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      return model.complete(messages, opts);
    },
    async *stream(messages: ChatMessage[], opts?: CompletionOptions): AsyncIterable<string> {
      take();
      yield* model.stream(messages, opts);
    },
  };
}
