/**
 * Benchmark of the `!train` ingest engine: writes a ~10 MiB chat JSONL into a temp dir, streams it
 * through `ingest` (default limits, then with a 200-token limit so every example is tokenized) and
 * prints throughput and peak RSS. Run: `npx tsx bench/train-ingest.ts`.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_BYTES, ingest, type IngestReport } from '../src/training/ingest/index.js';

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

async function measure(path: string, tokenLimit?: number): Promise<{ report: IngestReport; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
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
  return { report, peakRss };
}

function line(label: string, { report, peakRss }: { report: IngestReport; peakRss: number }): string {
  const mb = report.bytes / 1e6;
  const rate = mb / (report.ms / 1000);
  return `${label}: ${mb.toFixed(1)} MB, ${report.accepted} accepted, ${report.rejected} rejected in ${report.ms.toFixed(0)} ms → ${rate.toFixed(1)} MB/s; peak RSS ${(peakRss / 1048576).toFixed(0)} MiB`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eos-train-ingest-'));
  try {
    const path = join(dir, 'bench.jsonl');
    await generate(path);
    console.log(`generated ${((await stat(path)).size / 1048576).toFixed(2)} MiB; RSS before ingest ${(process.memoryUsage.rss() / 1048576).toFixed(0)} MiB`);
    console.log(line('default limits       ', await measure(path)));
    console.log(line('tokenize every record', await measure(path, 200)));
    console.log(`process max RSS (getrusage): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
