/**
 * POST /v1/embeddings for the fake server, after OpenAI's API reference (CreateEmbeddingRequest /
 * CreateEmbeddingResponse in /work/shared/contracts/openai-openapi.yaml; the contract checker validates
 * both). Tests reach it as `fake.embeddings`:
 *
 *   fake.embeddings.enabled = false;            // a server without embeddings: 404 like a plain chat server
 *   fake.embeddings.embedWith((text) => [...])  // script vectors (default: hashedEmbedding below)
 *   fake.embeddings.calls                       // every request's inputs and model
 *
 * Inputs may be a string or an array of strings (token arrays get 400, as the fake has no tokenizer).
 * `encoding_format: "base64"` answers little-endian float32 bytes in base64 like OpenAI does.
 */
import { sendError, sendJson } from '../http.js';
import type { Route, RouteContext } from '../types.js';

export type EmbedFn = (text: string, dimensions: number) => number[];

export interface FakeEmbeddings {
  enabled: boolean;
  /** Vector size when the request has no `dimensions`. Default 64. */
  dimensions: number;
  calls: { model: string; input: string[] }[];
  embedWith(fn: EmbedFn): void;
}

/**
 * A deterministic stand-in for a real embedding model: feature hashing of lower-cased words (with
 * a trailing "s" cut) and of their character trigrams, so texts sharing words or word stems land
 * close. It knows nothing of meaning; tests that need synonyms script their own vectors.
 */
export function hashedEmbedding(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const add = (feature: string, w: number) => {
    let h = 2166136261;
    for (let i = 0; i < feature.length; i++) h = Math.imul(h ^ feature.charCodeAt(i), 16777619);
    const idx = (h >>> 0) % dimensions;
    v[idx]! += (h & 0x80000000) === 0 ? w : -w;
  };
  for (const raw of words) {
    const w = raw.length > 3 && raw.endsWith('s') ? raw.slice(0, -1) : raw;
    add(`w:${w}`, 1);
    const padded = `#${w}#`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`g:${padded.slice(i, i + 3)}`, 0.3);
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

export function createEmbeddingsFake(): { routes: Route[]; controls: FakeEmbeddings } {
  let embed: EmbedFn = hashedEmbedding;
  const controls: FakeEmbeddings = {
    enabled: true,
    dimensions: 64,
    calls: [],
    embedWith: (fn) => {
      embed = fn;
    },
  };
  const handle = (ctx: RouteContext): void => {
    if (!controls.enabled) return sendError(ctx, 404, 'The fake LLM server has no route POST /v1/embeddings.');
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    const model = body['model'];
    const input = typeof body['input'] === 'string' ? [body['input']] : body['input'];
    if (typeof model !== 'string' || !Array.isArray(input) || input.length === 0 || !input.every((s) => typeof s === 'string')) {
      return sendError(ctx, 400, "The request needs a string 'model' and 'input' as a string or an array of strings.");
    }
    if (input.some((s) => s === '')) return sendError(ctx, 400, "'input' cannot contain empty strings.");
    const texts = input;
    controls.calls.push({ model, input: texts });
    const dims = typeof body['dimensions'] === 'number' ? body['dimensions'] : controls.dimensions;
    const base64 = body['encoding_format'] === 'base64';
    const data = texts.map((t, index) => {
      const vector = embed(t, dims);
      const embedding = base64 ? Buffer.from(Float32Array.from(vector).buffer).toString('base64') : vector;
      return { object: 'embedding' as const, index, embedding };
    });
    const tokens = texts.reduce((s, t) => s + Math.max(1, Math.ceil(t.length / 4)), 0);
    // A base64 answer is a string where the spec (float format) describes an array: only float answers are checked.
    if (base64) {
      ctx.res.writeHead(200, { 'content-type': 'application/json' });
      ctx.res.end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }));
      return;
    }
    sendJson(ctx, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  };
  return { routes: [{ method: 'POST', path: '/v1/embeddings', handle }], controls };
}
