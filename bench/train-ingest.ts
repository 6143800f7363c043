/**
 * Benchmark of the `!train` ingest engine: writes a ~10 MiB chat JSONL into a temp dir, streams it
 * through `ingest` (default limits, then with a 200-token limit so every example is tokenized) and
 * prints throughput (median of 3 passes) and peak RSS. Run: `npx tsx bench/train-ingest.ts [passes]`; bench/run.ts calls runTrainIngest().
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_BYTES, ingest, type IngestReport } from '../src/training/ingest/index.js';
import { isMain } from './lib/main.js';
import { forceGc } from './lib/stats.js';

const TARGET = DEFAULT_MAX_BYTES - 64 * 1024;
const WORDS = 'the a bot server voice channel message reply training data model token stream quick brown fox'.split(' ');

function sentence(seed: number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[(seed * 31 + i * 7) % WORDS.length] ?? 'x');
  return out.join(' ');
}

async function generate(path: string): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; bytes < TARGET; i++) {
    const messages = [
      { role: 'system', content: 'You are Eos, a friendly Discord bot.' },
      { role: 'user', content: `${sentence(i, 12)}? (#${i})` },
      { role: 'assistant', content: `${sentence(i + 1, 30)}. ✓` },
    ];
    const line = `${JSON.stringify({ messages })}\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

export interface IngestRun {
  report: IngestReport;
  peakRss: number;
  /** Rise of RSS over its value (after a GC) right before the pass; the largest one for a median. */
  peakGrowth: number;
}

export interface TrainIngestFigures {
  fileBytes: number;
  rssBefore: number;
  /** Passes per setting; the figures are the median-time pass and the highest peak. */
  repeats: number;
  /** Default limits. */
  plain: IngestRun;
  /** tokenLimit 200: every record is tokenized. */
  tokenized: IngestRun;
}

/** `repeats` passes; the report of the median-time pass, the highest peak RSS of all. */
async function measureMedian(path: string, repeats: number, tokenLimit?: number): Promise<IngestRun> {
  const runs: IngestRun[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await measure(path, tokenLimit));
  const sorted = [...runs].sort((a, b) => a.report.ms - b.report.ms);
  const mid = sorted[Math.floor(sorted.length / 2)] as IngestRun;
  return { report: mid.report, peakRss: Math.max(...runs.map((r) => r.peakRss)), peakGrowth: Math.max(...runs.map((r) => r.peakGrowth)) };
}

async function measure(path: string, tokenLimit?: number): Promise<IngestRun> {
  await forceGc();
  const before = process.memoryUsage.rss();
  let peakRss = before;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);
  let appended = 0;
  const report = await ingest(createReadStream(path), {
    name: 'bench.jsonl',
    ...(tokenLimit === undefined ? {} : { tokenLimit }),
    onRecords: async (batch) => void (appended += batch.length),
  });
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  if (appended !== report.accepted) throw new Error('batch count mismatch');
  return { report, peakRss, peakGrowth: peakRss - before };
}

function line(label: string, { report, peakRss, peakGrowth }: IngestRun): string {
  const mb = report.bytes / 1e6;
  const rate = mb / (report.ms / 1000);
  return `${label}: ${mb.toFixed(1)} MB, ${report.accepted} accepted, ${report.rejected} rejected in ${report.ms.toFixed(0)} ms → ${rate.toFixed(1)} MB/s; peak RSS ${(peakRss / 1048576).toFixed(0)} MiB (+${(peakGrowth / 1048576).toFixed(0)} MiB)`;
}

/** Generates the file, then ingests it `repeats` times with default limits and `repeats` times tokenizing every record. */
export async function runTrainIngest(repeats = 3): Promise<TrainIngestFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'eos-train-ingest-'));
  try {
    const path = join(dir, 'bench.jsonl');
    await generate(path);
    const fileBytes = (await stat(path)).size;
    await forceGc();
    const rssBefore = process.memoryUsage.rss();
    const plain = await measureMedian(path, repeats);
    const tokenized = await measureMedian(path, repeats, 200);
    return { fileBytes, rssBefore, repeats, plain, tokenized };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const f = await runTrainIngest(Number(process.argv[2] ?? 3));
  console.log(
    `generated ${(f.fileBytes / 1048576).toFixed(2)} MiB; RSS before ingest ${(f.rssBefore / 1048576).toFixed(0)} MiB; median of ${f.repeats} passes`,
  );
  console.log(line('default limits       ', f.plain));
  console.log(line('tokenize every record', f.tokenized));
  console.log(`process max RSS (getrusage): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}
