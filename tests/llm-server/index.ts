/**
 * An OpenAI-compatible HTTP server on 127.0.0.1 for tests. Scripted replies, request recording,
 * and OpenAPI contract checks of every request and answer (see contractViolations).
 *
 *   const fake = await startFakeLlm();
 *   fake.queue({ text: 'hello there' });
 *   // point an OpenAI client at fake.baseURL with fake.apiKey ...
 *   await fake.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedSpec } from '../contracts/openapi.js';
import { ContractRecorder, loadOpenAiSpec } from './contract.js';
import { lastUserText } from './http.js';
import { createAudioFake, type FakeAudio } from './routes/audio.js';
import { chatCompletionRoutes } from './routes/chat-completions.js';
import { createEmbeddingsFake, type FakeEmbeddings } from './routes/embeddings.js';
import { FakeFineTuning, type FineTuningKnobs } from './routes/fine-tuning.js';
import { modelRoutes } from './routes/models.js';
import { safeDispatch } from './server.js';
import type { ChatCompletionRequestBody, FakeState, RecordedRequest, Reply, Responder, Route } from './types.js';

export type { ChatCompletionRequestBody, RecordedRequest, Reply, Responder, Route } from './types.js';

/** The route table. Add new route files (files, fine_tuning, audio) here. */
export const defaultRoutes: Route[] = [...modelRoutes, ...chatCompletionRoutes];

export interface FakeLlmOptions {
  /** Key the server demands as `Authorization: Bearer <apiKey>`. Default 'sk-fake-llm-test-key'. */
  apiKey?: string;
  /** Check traffic against the OpenAI spec (default true). */
  contractCheck?: boolean;
  /** A spec loaded once with loadOpenAiSpec(), to share compiled schemas between servers. */
  spec?: LoadedSpec;
  /** Ids listed by GET /v1/models. Default ['fake-model']. */
  models?: string[];
  /** Extra routes, matched before the default ones. */
  routes?: Route[];
}

export interface FakeLlm {
  baseURL: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Ids listed by GET /v1/models (live: push to serve one more; succeeded fine-tunes are added). */
  models: string[];
  chatRequests(): ChatCompletionRequestBody[];
  respondWith(fn: Responder): void;
  queue(...replies: Reply[]): void;
  contractViolations: string[];
  /** POST /v1/audio/transcriptions and /v1/audio/speech: recordings and scripting (routes/audio.ts). */
  audio: FakeAudio;
  /** /v1/files and /v1/fine_tuning/jobs: uploaded files, simulated jobs, failNext() (routes/fine-tuning.ts). */
  fineTuning: FineTuningKnobs;
  /** POST /v1/embeddings: on/off, scripted vectors, recorded calls (routes/embeddings.ts). */
  embeddings: FakeEmbeddings;
  close(): Promise<void>;
}

export const echoResponder: Responder = (req) => ({ text: `echo: ${lastUserText(req.messages)}` });

export async function startFakeLlm(opts: FakeLlmOptions = {}): Promise<FakeLlm> {
  const apiKey = opts.apiKey ?? 'sk-fake-llm-test-key';
  const requests: RecordedRequest[] = [];
  const contractViolations: string[] = [];
  const spec = opts.contractCheck === false ? undefined : (opts.spec ?? loadOpenAiSpec());
  const replies: Reply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let responder: Responder = echoResponder;
  let ids = 0;
  const state: FakeState = {
    models: opts.models ?? ['fake-model'],
    nextReply: async (req) => replies.shift() ?? (await responder(req)),
    nextId: (prefix) => `${prefix}-${++ids}`,
    track: (timer) => timers.add(timer),
  };
  const contract = new ContractRecorder(spec, contractViolations);
  const audio = createAudioFake();
  const fineTuning = new FakeFineTuning(state);
  const embeddings = createEmbeddingsFake();
  const routes = [...(opts.routes ?? []), ...defaultRoutes, ...audio.routes, ...fineTuning.routes(), ...embeddings.routes];
  const server = createServer(safeDispatch({ apiKey, routes, state, contract, requests }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    models: state.models,
    contractViolations,
    audio: audio.controls,
    fineTuning,
    embeddings: embeddings.controls,
    chatRequests: () =>
      requests
        .filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions' && isPlainObject(r.body))
        .map((r) => r.body as ChatCompletionRequestBody),
    respondWith: (fn) => {
      responder = fn;
    },
    queue: (...more) => {
      replies.push(...more);
    },
    close: () => closeServer(server, timers),
  };
}

function closeServer(server: ReturnType<typeof createServer>, timers: Set<NodeJS.Timeout>): Promise<void> {
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
