/**
 * Vectors of a dataset's prompts and exhaustive cosine search over them. Records arrive through
 * `add` (from DatasetIndex.sync); their vectors come from the cache or, in batches, from the
 * Embedder. `search` embeds the query (recent queries are remembered), first embedding a small
 * backlog of new records inline; with a larger backlog it answers null (the caller matches
 * lexically) while the backlog is embedded in the background.
 */
import type { Logger } from 'pino';
import { normalize, type Embedder } from '../llm/embeddings.js';
import type { Hit } from './bm25.js';
import type { NewRecord } from './dataset-index.js';
import { VectorCache, vectorKey } from './vector-cache.js';

const QUERY_CACHE = 256;
const MAX_TEXT = 4000;

export class EmbeddingSearch {
  private docs: (Float32Array | undefined)[] = [];
  private pending: NewRecord[] = [];
  private catchingUp: Promise<void> | null = null;
  private readonly queries = new Map<string, Float32Array>();

  private constructor(
    private readonly embedder: Embedder,
    private readonly cache: VectorCache,
    private readonly log?: Logger,
  ) {}

  static async open(embedder: Embedder, cacheFile: string | null, log?: Logger): Promise<EmbeddingSearch> {
    return new EmbeddingSearch(embedder, await VectorCache.open(cacheFile), log);
  }

  get backlog(): number {
    return this.pending.length;
  }

  add(records: readonly NewRecord[], reset: boolean): void {
    if (reset) {
      this.docs = [];
      this.pending = [];
    }
    for (const r of records) {
      const cached = this.cache.get(vectorKey(this.embedder.model, clip(r.prompt)));
      if (cached) this.docs[r.id] = cached;
      else this.pending.push(r);
    }
  }

  /** Best k records by cosine similarity; null while the backlog is too large to embed inline. */
  async search(query: string, k: number): Promise<Hit[] | null> {
    if (this.pending.length > this.embedder.maxBatch) {
      this.catchingUp ??= this.catchUp().finally(() => (this.catchingUp = null));
      return null;
    }
    if (this.catchingUp) await this.catchingUp;
    else if (this.pending.length > 0) await this.embedPending(this.pending.length);
    const q = await this.queryVector(query);
    return this.top(q, k);
  }

  async close(): Promise<void> {
    await this.catchingUp?.catch(() => undefined);
    await this.cache.close();
  }

  private async catchUp(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.embedPending(this.embedder.maxBatch);
    } catch (err) {
      this.log?.warn({ err, backlog: this.pending.length }, 'embedding stored examples failed; will retry at the next search');
    }
  }

  private async embedPending(n: number): Promise<void> {
    const batch = this.pending.slice(0, n);
    const texts = batch.map((r) => clip(r.prompt));
    const vectors = await this.embedder.embed(texts);
    const entries = vectors.map((v, i) => ({ key: vectorKey(this.embedder.model, texts[i]!), vector: normalize(v) }));
    await this.cache.put(entries);
    batch.forEach((r, i) => (this.docs[r.id] = this.cache.get(entries[i]!.key) ?? entries[i]!.vector));
    this.pending = this.pending.slice(batch.length);
  }

  private async queryVector(query: string): Promise<Float32Array> {
    const text = clip(query);
    const hit = this.queries.get(text);
    if (hit) return hit;
    const [v] = await this.embedder.embed([text]);
    const q = normalize(v!);
    this.queries.set(text, q);
    if (this.queries.size > QUERY_CACHE) this.queries.delete(this.queries.keys().next().value!);
    return q;
  }

  private top(q: Float32Array, k: number): Hit[] {
    const best: Hit[] = [];
    for (let id = 0; id < this.docs.length; id++) {
      const v = this.docs[id];
      if (!v || v.length !== q.length) continue;
      let dot = 0;
      for (let i = 0; i < q.length; i++) dot += q[i]! * v[i]!;
      if (best.length === k && dot < best[k - 1]!.score) continue;
      let at = Math.min(best.length, k - 1);
      while (at > 0 && dot >= best[at - 1]!.score) {
        best[at] = best[at - 1]!;
        at--;
      }
      best[at] = { id, score: Math.max(0, dot) };
    }
    return best;
  }
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}
