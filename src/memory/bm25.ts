/**
 * An in-memory BM25 index built for appends: documents get increasing ids, postings are kept in
 * growable typed arrays sorted by id, so adding a document touches only its own terms and a search
 * never re-reads or re-vectorises anything.
 *
 * Scores are normalised to [0, 1]: the BM25 sum divided by the sum of the idf of the query terms the
 * index knows (a document holding each of them once at average length scores ≈ 1). Search cost is
 * bounded: terms are taken rarest first; a common term (more than `commonDf` postings) is not scanned
 * but looked up (galloping search, in id order) in the best 2,000 documents the rarer terms found; a query made of
 * common terms alone scans the newest 20,000 postings of its rarest term, then looks up the others
 * (20,000 rather than 50,000 since issue 12: search p99 at 1M examples; recall of the bench unchanged).
 */

const K1 = 1.2;
const B = 0.75;
/** Candidates a common term is looked up in (the best by the rarer terms' scores). */
const LOOKUP_POOL = 2_000;
/** Postings scanned at most for one term (the newest ones; ids grow with time). */
const SCAN_CAP = 20_000;

class Postings {
  ids = new Uint32Array(2);
  tfs = new Uint16Array(2);
  n = 0;

  push(id: number, tf: number): void {
    if (this.n === this.ids.length) {
      const ids = new Uint32Array(this.n * 2);
      ids.set(this.ids);
      this.ids = ids;
      const tfs = new Uint16Array(this.n * 2);
      tfs.set(this.tfs);
      this.tfs = tfs;
    }
    this.ids[this.n] = id;
    this.tfs[this.n] = Math.min(tf, 65_535);
    this.n++;
  }

  /**
   * Index of the first posting at or after `from` whose id is ≥ `id` (`n` when none): a galloping search from
   * `from`, so looking up ids in increasing order walks the list forwards and touches few cache lines.
   */
  seek(id: number, from: number): number {
    const ids = this.ids;
    let lo = from;
    let step = 1;
    let hi = from;
    while (hi < this.n && ids[hi]! < id) {
      lo = hi + 1;
      hi += step;
      step *= 2;
    }
    if (hi > this.n) hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface Hit {
  id: number;
  score: number;
}

export class Bm25Index {
  private readonly postings = new Map<string, Postings>();
  private lengths = new Uint16Array(1024);
  private count = 0;
  private totalLength = 0;
  private scores = new Float64Array(1024);

  constructor(private readonly commonDf = 5_000) {}

  get size(): number {
    return this.count;
  }

  /** Adds the next document (its id is the previous size) and returns the id. */
  add(docTerms: readonly string[]): number {
    const id = this.count++;
    if (id === this.lengths.length) {
      const grown = new Uint16Array(id * 2);
      grown.set(this.lengths);
      this.lengths = grown;
    }
    this.lengths[id] = Math.min(docTerms.length, 65_535);
    this.totalLength += docTerms.length;
    const tf = new Map<string, number>();
    for (const t of docTerms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = new Postings()));
      p.push(id, n);
    }
    return id;
  }

  /** The k best documents (ties: the later document first). */
  search(queryTerms: readonly string[], k: number): Hit[] {
    if (this.count === 0 || k <= 0) return [];
    const known = [...new Set(queryTerms)].flatMap((t) => {
      const p = this.postings.get(t);
      return p ? [{ p, idf: Math.log(1 + (this.count - p.n + 0.5) / (p.n + 0.5)) }] : [];
    });
    if (known.length === 0) return [];
    known.sort((a, b) => a.p.n - b.p.n);
    const norm = known.reduce((s, t) => s + t.idf, 0);
    if (this.scores.length < this.count) this.scores = new Float64Array(Math.max(this.count, this.scores.length * 2));
    const scores = this.scores;
    const touched: number[] = [];
    const avg = this.totalLength / this.count || 1;
    const weight = (idf: number, tf: number, id: number) => (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.lengths[id]!) / avg));
    let best: Uint32Array | null = null;
    for (const { p, idf } of known) {
      if (p.n > this.commonDf && touched.length > 0) {
        // A common term adds little (low idf): score it only where it can still change the top results
        // (the best candidates so far, chosen once: later common terms only raise their scores).
        // Looked up in increasing id order, so each lookup continues from the previous one (see Postings.seek).
        best ??= Uint32Array.from(pool(touched, scores, LOOKUP_POOL)).sort();
        let at = 0;
        for (const id of best) {
          at = p.seek(id, at);
          if (at === p.n) break;
          if (p.ids[at] === id) scores[id]! += weight(idf, p.tfs[at]!, id);
        }
        continue;
      }
      // Only a query of common terms alone gets here with a common term: its newest postings are enough.
      for (let i = p.n > SCAN_CAP ? p.n - SCAN_CAP : 0; i < p.n; i++) {
        const id = p.ids[i]!;
        if (scores[id] === 0) touched.push(id);
        scores[id]! += weight(idf, p.tfs[i]!, id);
      }
    }
    const hits = topK(touched, scores, k);
    for (const id of touched) scores[id] = 0;
    return hits.map((h) => ({ id: h.id, score: Math.min(1, h.score / norm) }));
  }
}

/** The candidates worth looking a common term up in: all of them, or the `size` best (quickselect on scores). */
function pool(ids: number[], scores: Float64Array, size: number): number[] {
  if (ids.length <= size) return ids;
  const values = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) values[i] = scores[ids[i]!]!;
  const cut = nthLargest(values, size);
  const out: number[] = [];
  for (const id of ids) if (scores[id]! >= cut && out.length < size * 2) out.push(id);
  return out;
}

/** The n-th largest value (1-based) of `a`, reordering `a` (Hoare quickselect). */
function nthLargest(a: Float64Array, n: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}

/** The k highest (score, id) pairs, best first, without sorting every candidate. */
function topK(ids: number[], scores: Float64Array, k: number): Hit[] {
  const best: Hit[] = [];
  const better = (a: Hit, b: Hit) => a.score > b.score || (a.score === b.score && a.id > b.id);
  for (const id of ids) {
    const h = { id, score: scores[id]! };
    if (best.length === k && !better(h, best[k - 1]!)) continue;
    let i = best.length < k ? best.length : k - 1;
    while (i > 0 && better(h, best[i - 1]!)) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = h;
  }
  return best;
}
