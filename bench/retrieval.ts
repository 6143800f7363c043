/**
 * Retrieval benchmark (issue 11 item 6, issue 12 item 3): the few-shot memory at 10k, 100k and 1M
 * examples. Per size, in a fresh child process:
 *  - build: time to index the file from scratch, and RSS / heap growth it costs;
 *  - search: p50 / p99 of `search(query, 3)` over 1,000 queries (paraphrases and perturbed questions);
 *  - append per reply: 300 rounds of "append one record, then search" (the 👍/`!train` pattern):
 *    p50 / p99 of the search that picks the append up, and CPU per round (what a reply pays);
 *  - recall@1 / @3 of the 40 labelled paraphrases (tests/fixtures/retrieval) hidden among N records;
 *  - embeddings mode (10k, 100k): the same with an in-process embedder (hashed word + trigram
 *    features, 256 dims: a stand-in for an endpoint, so no network time is counted).
 * `npx tsx --expose-gc bench/retrieval.ts [sizes...]` prints a markdown table.
 */
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Embedder } from '../src/llm/embeddings.js';
import { JsonlExampleMemory } from '../src/memory/examples.js';
import { hashedEmbedding } from '../tests/llm-server/routes/embeddings.js';
import { runInChild } from './lib/fn-child.js';
import { labelledPairs, perturb, prng, recordLine, writeCorpus } from './lib/retrieval-corpus.js';

export interface RetrievalFigures {
  size: number;
  mode: 'lexical' | 'embeddings';
  buildMs: number;
  rssMiB: number;
  heapMiB: number;
  searchP50: number;
  searchP99: number;
  /** CPU time (all threads) of one search: independent of other processes on a loaded machine. */
  searchCpuP50: number;
  searchCpuP99: number;
  appendSearchP50: number;
  appendSearchP99: number;
  cpuPerAppendSearchMs: number;
  recallAt1: number;
  recallAt3: number;
  builds: number;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const mib = (b: number) => b / 1024 / 1024;

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
}

function localEmbedder(dims = 256): Embedder {
  return { model: 'hashed-256', maxBatch: 512, embed: async (texts) => texts.map((t) => Float32Array.from(hashedEmbedding(t, dims))) };
}

/** One size in this process (call it through runInChild for clean memory figures). */
export async function runRetrievalSize(
  size: number,
  mode: 'lexical' | 'embeddings',
  log?: (line: string) => void,
): Promise<RetrievalFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eos-bench-retrieval-'));
  try {
    await mkdir(path.join(dir, 'default'));
    const file = path.join(dir, 'default', 'positive.jsonl');
    const pairs = await labelledPairs();
    const samples = await writeCorpus(file, size, pairs);
    log?.(`${size} ${mode}: corpus written`);
    gc();
    const before = process.memoryUsage();
    const memory = new JsonlExampleMemory(dir, () => 'default', mode === 'embeddings' ? { embedder: localEmbedder() } : {});
    const t0 = performance.now();
    await memory.warm();
    if (mode === 'embeddings') await memory.search('warm up the vectors', 1); // embeds the backlog (in the background)
    while (mode === 'embeddings' && memory.status().mode === 'embeddings' && (await backlog(memory)) > 0)
      await new Promise((r) => setTimeout(r, 50));
    const buildMs = performance.now() - t0;
    gc();
    const after = process.memoryUsage();
    log?.(`${size} ${mode}: built in ${buildMs.toFixed(0)} ms`);
    const rand = prng(11);
    const queries = [
      ...pairs.map((p) => p.paraphrase),
      ...Array.from({ length: 960 }, (_, i) => perturb(samples[i % samples.length] ?? 'how do i', rand)),
    ];
    for (const q of queries.slice(0, 200)) await memory.search(q, 3); // warm-up (JIT), not measured
    gc();
    const lat: number[] = [];
    const cpuLat: number[] = [];
    for (const q of queries) {
      const c = process.cpuUsage();
      const t = performance.now();
      await memory.search(q, 3);
      lat.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpuLat.push((d.user + d.system) / 1000);
    }
    let at1 = 0;
    let at3 = 0;
    for (const p of pairs) {
      const hits = await memory.search(p.paraphrase, 3);
      if (hits[0]?.answer === p.answer) at1++;
      if (hits.some((h) => h.answer === p.answer)) at3++;
    }
    const appendLat: number[] = [];
    gc();
    const cpu0 = process.cpuUsage();
    const rounds = 300;
    for (let i = 0; i < rounds; i++) {
      await appendFile(file, recordLine(`fresh question number ${i} about ${queries[i % queries.length]}`, `fresh answer ${i}`));
      const t = performance.now();
      await memory.search(queries[(i * 7) % queries.length]!, 3);
      appendLat.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    const builds = memory.status().builds;
    await memory.close();
    return {
      size,
      mode,
      buildMs,
      rssMiB: mib(after.rss - before.rss),
      heapMiB: mib(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers),
      searchP50: pct(lat, 50),
      searchP99: pct(lat, 99),
      searchCpuP50: pct(cpuLat, 50),
      searchCpuP99: pct(cpuLat, 99),
      appendSearchP50: pct(appendLat, 50),
      appendSearchP99: pct(appendLat, 99),
      cpuPerAppendSearchMs: (cpu.user + cpu.system) / 1000 / rounds,
      recallAt1: at1 / pairs.length,
      recallAt3: at3 / pairs.length,
      builds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function backlog(memory: JsonlExampleMemory): Promise<number> {
  const vectors = (memory as unknown as { vectors: { backlog: number } | null }).vectors;
  return vectors?.backlog ?? 0;
}

export async function runRetrieval(sizes: number[], log: (line: string) => void): Promise<RetrievalFigures[]> {
  const out: RetrievalFigures[] = [];
  for (const size of sizes) {
    out.push(await runInChild<RetrievalFigures>(import.meta.filename, 'runRetrievalSize', [size, 'lexical'], log));
    if (size <= 100_000) out.push(await runInChild<RetrievalFigures>(import.meta.filename, 'runRetrievalSize', [size, 'embeddings'], log));
  }
  return out;
}

export function retrievalTable(rows: RetrievalFigures[]): string {
  const f = (n: number, d = 2) => n.toFixed(d);
  return [
    '| examples | mode | build | RSS / heap+buffers growth | search p50 / p99 (wall) | search p50 / p99 (CPU) | search after an append p50 / p99 (wall) | CPU per append+search | recall@1 / @3 (40 paraphrases) | full rebuilds |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.size.toLocaleString('en')} | ${r.mode} | ${f(r.buildMs / 1000, 1)} s | ${f(r.rssMiB, 0)} / ${f(r.heapMiB, 0)} MiB | ${f(r.searchP50)} / ${f(r.searchP99)} ms | ${f(r.searchCpuP50)} / ${f(r.searchCpuP99)} ms | ${f(r.appendSearchP50)} / ${f(r.appendSearchP99)} ms | ${f(r.cpuPerAppendSearchMs)} ms | ${f(r.recallAt1)} / ${f(r.recallAt3)} | ${r.builds} |`,
    ),
  ].join('\n');
}

if (import.meta.main) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const rows = await runRetrieval(sizes.length ? sizes : [10_000, 100_000, 1_000_000], (l) => process.stderr.write(`${l}\n`));
  process.stdout.write(`${retrievalTable(rows)}\n`);
}
