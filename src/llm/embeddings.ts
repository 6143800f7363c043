/**
 * What Eos needs from an embeddings provider: vectors for texts, in order. Adapters:
 * openai-embeddings.ts (any endpoint with OpenAI's POST /embeddings). Failures are LlmError; kind
 * 'unavailable' means the endpoint has no embeddings (404/405/501, or it does not know the model),
 * so retrying cannot help and callers fall back to lexical matching.
 */
export interface Embedder {
  /** The model asked for, e.g. "text-embedding-3-small" (part of cache keys). */
  readonly model: string;
  /** One vector per text, same order. At most `maxBatch` texts per call. */
  embed(texts: readonly string[], opts?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  readonly maxBatch: number;
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The vector scaled to length 1 (a zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n === 0) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}
