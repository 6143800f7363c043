/**
 * Archive benchmark: writes ~100 MiB of JSONL datasets to a temp dir, zips them with createArchive and prints
 * throughput and peak RSS (sampled every 20 ms, so streaming vs buffering shows). Run: npx tsx bench/archive.ts [MiB] [zlib level] [zips=3];
 * bench/run.ts calls runArchive().
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createArchive } from '../src/archive/index.js';
import { isMain } from './lib/main.js';
import { forceGc, rssSampler } from './lib/stats.js';

/** Deterministic pseudo-random text (xorshift), varied enough to compress roughly like real chat logs. */
function makeText(): (words: number) => string {
  let x = 0x9e3779b9;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'da', 'fo', 'gu', 'hi', 'je', 'po', 'qu', 'wy'];
  const word = () => Array.from({ length: 1 + (next() % 4) }, () => syllables[next() % syllables.length]).join('');
  return (words) => Array.from({ length: words }, word).join(' ');
}

function makeLine(text: (words: number) => string): (i: number) => string {
  return (i) =>
    `${JSON.stringify({
      messages: [
        { role: 'system', content: 'You are Eos.' },
        { role: 'user', content: text(8 + (i % 25)), name: `user${i % 50}` },
        { role: 'assistant', content: text(15 + (i % 45)) },
      ],
    })}\n`;
}

async function writeJsonl(file: string, bytes: number, seed: number): Promise<number> {
  const out = createWriteStream(file);
  const line = makeLine(makeText());
  let written = 0;
  for (let i = seed; written < bytes; i++) {
    const chunk = line(i);
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return written;
}

export interface ArchiveFigures {
  /** Zips made of the same input; ms is the median, peakRss the highest. */
  repeats: number;
  inputBytes: number;
  files: number;
  zipBytes: number;
  level: number;
  ms: number;
  rssBefore: number;
  peakRss: number;
  /** Largest rise of RSS over its value (after a GC) right before a zip. */
  peakGrowth: number;
}

async function writeDatasets(datasetsDir: string, names: string[], totalMb: number): Promise<number> {
  let input = 0;
  for (const [n, name] of names.entries()) {
    await mkdir(path.join(datasetsDir, name), { recursive: true });
    for (const [k, file] of ['positive', 'negative', 'preference'].entries()) {
      const share = (totalMb * 1024 * 1024) / (names.length * 3);
      input += await writeJsonl(path.join(datasetsDir, name, `${file}.jsonl`), share, n * 1e6 + k * 1e5);
    }
  }
  return input;
}

async function zipOnce(root: string, i: number, names: string[], level: number) {
  await forceGc();
  const rssBefore = process.memoryUsage.rss();
  const sampler = rssSampler(20);
  const archivesDir = path.join(root, `archives-${i}`);
  const result = await createArchive({ datasetsDir: path.join(root, 'datasets'), archivesDir, names, level });
  const peakRss = sampler.stop();
  await rm(archivesDir, { recursive: true, force: true });
  return { result, rssBefore, peakRss };
}

/** Writes `totalMb` MiB of datasets (4 datasets x 3 files), then zips them all at zlib `level`, `repeats` times. */
export async function runArchive(totalMb = 100, level = 1, repeats = 3): Promise<ArchiveFigures> {
  const root = await mkdtemp(path.join(tmpdir(), 'eos-bench-archive-'));
  try {
    const names = ['default', 'voice', 'imported', 'capture'];
    const inputBytes = await writeDatasets(path.join(root, 'datasets'), names, totalMb);
    const runs = [];
    for (let i = 0; i < repeats; i++) runs.push(await zipOnce(root, i, names, level));
    const mid = [...runs].sort((a, b) => a.result.ms - b.result.ms)[Math.floor(runs.length / 2)];
    if (!mid) throw new Error('bench: no archive run');
    const { result, rssBefore } = mid;
    const peakRss = Math.max(...runs.map((r) => r.peakRss));
    const peakGrowth = Math.max(...runs.map((r) => r.peakRss - r.rssBefore));
    return { repeats, inputBytes, files: result.files, zipBytes: result.bytes, level, ms: result.ms, rssBefore, peakRss, peakGrowth };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const f = await runArchive(Number(process.argv[2] ?? 100), Number(process.argv[3] ?? 1), Number(process.argv[4] ?? 3));
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  console.log(`input        ${mb(f.inputBytes)} MiB in ${f.files} files`);
  console.log(`zip (level ${f.level}) ${mb(f.zipBytes)} MiB (${((100 * f.zipBytes) / f.inputBytes).toFixed(1)} % of input)`);
  console.log(
    `time (median of ${f.repeats}) ${(f.ms / 1000).toFixed(2)} s  →  ${(f.inputBytes / 1024 / 1024 / (f.ms / 1000)).toFixed(1)} MiB/s of input`,
  );
  console.log(`RSS          peak ${mb(f.peakRss)} MiB, at most +${mb(f.peakGrowth)} MiB over the RSS before a zip`);
}
