/** Shared types of the fake OpenAI-compatible server used by tests. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContractRecorder } from './contract.js';

/** A POST /v1/chat/completions body as the fake sees it (loosely typed: tests may send anything). */
export interface ChatCompletionRequestBody {
  model: string;
  messages: { role: string; content: unknown; name?: string; [key: string]: unknown }[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  temperature?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  [key: string]: unknown;
}

export type Reply =
  /** Streams in chunks of `chunkSize` characters (default 8) when stream:true, otherwise one JSON response. */
  | { text: string; chunkDelayMs?: number; chunkSize?: number }
  /**
   * HTTP error with an OpenAI error body. `retryAfterMs` is sent as `retry-after-ms` (default 10, so SDK retries
   * are quick); null sends no header.
   */
  | { status: number; error?: string; retryAfterMs?: number | null; /** OpenAI's error.code, e.g. 'model_not_found'. */ code?: string }
  /** Never answers within hangMs, then destroys the connection. */
  | { hangMs: number }
  /** Sends `cutAfterChunks` SSE events (or part of the JSON body when not streaming), then destroys the connection. */
  | { text: string; cutAfterChunks: number };

export type Responder = (req: ChatCompletionRequestBody) => Reply | Promise<Reply>;

export interface RecordedRequest {
  method: string;
  /** URL path without the query, e.g. '/v1/chat/completions'. */
  path: string;
  /** Parsed JSON body, the raw text for other content types, undefined when empty. */
  body: unknown;
  /** Request headers, lower-case; `authorization` is removed (see hasAuth). */
  headers: Record<string, string>;
  /** True when the request carried the right `Authorization: Bearer <apiKey>`. */
  hasAuth: boolean;
  at: number;
}

/** What a route handler gets. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path without query. */
  path: string;
  params: Record<string, string>;
  rawBody: Buffer;
  /** Parsed JSON when the content type is JSON; undefined otherwise. */
  body: unknown;
  contract: ContractRecorder;
  state: FakeState;
}

/** Mutable scripting state of one fake server instance. */
export interface FakeState {
  models: string[];
  nextReply(req: ChatCompletionRequestBody): Promise<Reply>;
  nextId(prefix: string): string;
  /** Registers a timer so close() can cancel it. */
  track(timer: NodeJS.Timeout): void;
}

export interface Route {
  method: string;
  /** Path template under the server root, e.g. '/v1/chat/completions' or '/v1/files/{file_id}'. */
  path: string;
  handle(ctx: RouteContext): Promise<void> | void;
}
