/** Embedder adapter for OpenAI's POST /embeddings (OpenAI, Azure OpenAI, vLLM, Ollama, LM Studio, ...). */
import type OpenAI from 'openai';
import type { Embedder } from './embeddings.js';
import { toLlmError } from './openai-errors.js';
import { LlmError } from './port.js';

export interface OpenAiEmbedderOptions {
  client: OpenAI;
  model: string;
  /** Inputs per request (OpenAI allows 2048). Default 256. */
  maxBatch?: number;
}

/** HTTP statuses meaning "this endpoint does not do embeddings (with this model)". */
const UNAVAILABLE = new Set([400, 404, 405, 501]);

export function createOpenAiEmbedder(opts: OpenAiEmbedderOptions): Embedder {
  const { client, model } = opts;
  const secret = typeof client.apiKey === 'string' ? client.apiKey : undefined;
  const maxBatch = Math.max(1, Math.min(opts.maxBatch ?? 256, 2048));
  return {
    model,
    maxBatch,
    async embed(texts, o = {}) {
      if (texts.length === 0) return [];
      if (texts.length > maxBatch) throw new LlmError('http', `at most ${maxBatch} texts per embeddings call`);
      // OpenAI rejects empty strings; a single space embeds as "nothing".
      const input = texts.map((t) => (t.trim() === '' ? ' ' : t));
      let res: OpenAI.Embeddings.CreateEmbeddingResponse;
      try {
        res = await client.embeddings.create({ model, input, encoding_format: 'float' }, o.signal ? { signal: o.signal } : {});
      } catch (err) {
        const e = toLlmError(err, o.signal, secret);
        if (e.kind === 'http' && e.status !== undefined && UNAVAILABLE.has(e.status)) {
          throw new LlmError('unavailable', `embeddings unavailable: ${e.message}`, e.status);
        }
        throw e;
      }
      return toVectors(res, texts.length);
    },
  };
}

function toVectors(res: OpenAI.Embeddings.CreateEmbeddingResponse, n: number): Float32Array[] {
  const data = Array.isArray(res?.data) ? res.data : null;
  if (!data || data.length !== n) {
    throw new LlmError('unavailable', `the embeddings answer has ${data?.length ?? 'no'} vectors for ${n} inputs`);
  }
  const out: Float32Array[] = new Array<Float32Array>(n);
  for (const d of data) {
    const i = typeof d.index === 'number' ? d.index : -1;
    if (i < 0 || i >= n || !Array.isArray(d.embedding) || d.embedding.length === 0) {
      throw new LlmError('unavailable', 'the embeddings answer is not a list of vectors');
    }
    out[i] = Float32Array.from(d.embedding);
  }
  if (out.some((v) => v === undefined)) throw new LlmError('unavailable', 'the embeddings answer skips an input');
  const dim = out[0]!.length;
  if (out.some((v) => v.length !== dim)) throw new LlmError('unavailable', 'the embeddings answer mixes vector sizes');
  return out;
}
