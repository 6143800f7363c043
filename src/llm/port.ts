/** What Eos needs from a language model. Adapters: openai.ts (any OpenAI-compatible API), memory.ts (training memory, offline). */
export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** Speaker label for multi-user channels (display name or anonymous label, never a user ID). */
  name?: string;
}

export interface CompletionOptions {
  temperature?: number;
  maxTokens?: number;
  /** Overrides the adapter's default model. */
  model?: string;
  signal?: AbortSignal;
  /** Called with the tokens a `complete` call used, when the endpoint reports them. */
  onUsage?: (usage: { promptTokens: number; completionTokens: number }) => void;
}

export interface ChatModel {
  /** Human-readable description for logs and !help, e.g. "openai:gpt-5.4-mini @ http://host/v1". Never contains keys. */
  readonly description: string;
  complete(messages: ChatMessage[], opts?: CompletionOptions): Promise<string>;
  /** Yields text deltas as they arrive. Throws LlmError on failure. */
  stream(messages: ChatMessage[], opts?: CompletionOptions): AsyncIterable<string>;
}

export type LlmErrorKind = 'timeout' | 'http' | 'network' | 'aborted' | 'empty' | 'unavailable';

export class LlmError extends Error {
  override readonly name = 'LlmError';
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
    /** The provider's error code when it sent one (OpenAI: `model_not_found`, ...). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The endpoint does not serve the requested model (unknown, retired, or no access): a setting must change. */
export function isModelUnavailable(err: unknown): boolean {
  if (!(err instanceof LlmError) || err.kind !== 'http') return false;
  if (err.code === 'model_not_found') return true;
  return err.status === 404 && /\bmodel\b/i.test(err.message);
}
