/**
 * JsonlExampleMemory: stored examples (the active dataset's positive.jsonl) similar to a query, for
 * few-shot prompts and the offline model. Two ways to match, one index per dataset:
 * - lexical (always): BM25 over each record's prompt, built once and updated on append (dataset-index.ts);
 * - embeddings (when an Embedder is given and the endpoint answers /embeddings): cosine similarity of
 *   the query's vector to each record's vector. Vectors are cached on disk per text (vector-cache.ts)
 *   and computed only for appended records. While a large backlog is being embedded, and whenever
 *   the endpoint fails, the lexical index answers; an endpoint without embeddings turns them off.
 * Later records win ties, so a fresh correction beats an older example.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Embedder } from '../llm/embeddings.js';
import { DatasetIndex } from './dataset-index.js';
import { EmbeddingSearch } from './embedding-search.js';

export interface Example {
  prompt: string;
  answer: string;
  /** In [0, 1]: cosine similarity (embeddings) or normalised BM25 (lexical). */
  score: number;
}

/** Retrieves stored examples (positive data and corrections) similar to a query. */
export interface ExampleMemory {
  search(query: string, k: number): Promise<Example[]>;
  /** Releases open files (called at shutdown). */
  close?(): Promise<void>;
}

export interface JsonlMemoryOptions {
  /** Embeddings provider; none (or one whose endpoint lacks /embeddings) means lexical matching. */
  embedder?: Embedder | null;
  /** Folder for vector caches (`<dataset>.<model>.vec`); none keeps vectors in memory only. */
  cacheDir?: string;
  /** Datasets larger than this are matched lexically (vectors are searched exhaustively: about 30 ms of CPU per search at 100k × 256 dims). Default 100 000. */
  maxEmbedded?: number;
  log?: Logger;
}

export type MemoryMode = 'embeddings' | 'lexical';

export class JsonlExampleMemory implements ExampleMemory {
  private index: DatasetIndex | null = null;
  private vectors: EmbeddingSearch | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private embeddingsOff = false;

  constructor(
    private readonly datasetsDir: string,
    private readonly activeDataset: () => string,
    private readonly opts: JsonlMemoryOptions = {},
  ) {}

  /** Builds (or catches up) the index of the active dataset now instead of at the first search. */
  async warm(): Promise<void> {
    await this.sync();
  }

  /** How the last search matched and how many records are indexed. */
  status(): { mode: MemoryMode; records: number; builds: number } {
    return { mode: this.useVectors() ? 'embeddings' : 'lexical', records: this.index?.size ?? 0, builds: this.index?.builds ?? 0 };
  }

  async search(query: string, k: number): Promise<Example[]> {
    await this.sync();
    const index = this.index;
    if (!index || index.size === 0 || k <= 0 || !query.trim()) return [];
    const hits = (this.useVectors() ? await this.vectorHits(query, k) : null) ?? index.searchLexical(query, k);
    const out: Example[] = [];
    for (const h of hits) {
      const rec = await index.record(h.id).catch(() => null);
      if (rec && h.score > 0) out.push({ prompt: rec.prompt, answer: rec.answer, score: h.score });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.index?.close();
    await this.vectors?.close();
  }

  private useVectors(): boolean {
    return !this.embeddingsOff && this.vectors !== null && (this.index?.size ?? 0) <= this.maxEmbedded();
  }

  private async vectorHits(query: string, k: number) {
    try {
      return await this.vectors!.search(query, k);
    } catch (err) {
      const unavailable = (err as { kind?: string }).kind === 'unavailable';
      if (unavailable) this.embeddingsOff = true;
      this.opts.log?.warn(
        { err },
        unavailable ? 'the endpoint has no embeddings: matching examples by words' : 'embedding search failed: matching by words',
      );
      return null;
    }
  }

  private sync(): Promise<void> {
    const next = this.syncing.then(() => this.syncNow());
    this.syncing = next.catch(() => undefined);
    return next;
  }

  private async syncNow(): Promise<void> {
    const name = this.activeDataset();
    const file = path.join(this.datasetsDir, name, 'positive.jsonl');
    if (this.index?.file !== file) {
      await this.close();
      this.index = new DatasetIndex(file);
      this.vectors = null;
      const { embedder, cacheDir } = this.opts;
      if (embedder && !this.embeddingsOff) {
        const cache = cacheDir ? path.join(cacheDir, `${safe(name)}.${safe(embedder.model)}.vec`) : null;
        this.vectors = await EmbeddingSearch.open(embedder, cache, this.opts.log);
      }
    }
    const vectors = this.vectors;
    await this.index.sync((added, reset) => vectors?.add(added, reset));
    if (vectors && this.index.size > this.maxEmbedded()) {
      // Too large for exhaustive vector search: words only, and no vectors kept for it.
      this.vectors = null;
      await vectors.close();
      this.opts.log?.info(
        { records: this.index.size, maxEmbedded: this.maxEmbedded() },
        'dataset too large for embedding search: matching examples by words',
      );
    }
  }

  private maxEmbedded(): number {
    return this.opts.maxEmbedded ?? 100_000;
  }
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
}
