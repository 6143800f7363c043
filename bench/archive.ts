/**
 * Archive benchmark: writes ~100 MB of JSONL datasets to a temp dir, zips them with createArchive and prints
 * throughput and peak RSS (sampled every 20 ms, so streaming vs buffering shows). Run: npx tsx bench/archive.ts [MB] [zlib level]
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createArchive } from '../src/archive/index.js';

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

async function main(): Promise<void> {
  const totalMb = Number(process.argv[2] ?? 100);
  const level = Number(process.argv[3] ?? 1);
  const root = await mkdtemp(path.join(tmpdir(), 'eos-bench-archive-'));
  try {
    const datasetsDir = path.join(root, 'datasets');
    const names = ['default', 'voice', 'imported', 'capture'];
    let input = 0;
    for (const [n, name] of names.entries()) {
      await mkdir(path.join(datasetsDir, name), { recursive: true });
      for (const [k, file] of ['positive', 'negative', 'preference'].entries()) {
        const share = (totalMb * 1024 * 1024) / (names.length * 3);
        input += await writeJsonl(path.join(datasetsDir, name, `${file}.jsonl`), share, n * 1e6 + k * 1e5);
      }
    }
    global.gc?.();
    const baseRss = process.memoryUsage().rss;
    let peak = baseRss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const result = await createArchive({ datasetsDir, archivesDir: path.join(root, 'archives'), names, level });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
    console.log(`input        ${mb(input)} MB in ${result.files} files`);
    console.log(`zip (level ${level}) ${mb(result.bytes)} MB (${((100 * result.bytes) / input).toFixed(1)} % of input)`);
    console.log(`time         ${(result.ms / 1000).toFixed(2)} s  →  ${(input / 1024 / 1024 / (result.ms / 1000)).toFixed(1)} MB/s of input`);
    console.log(`RSS          before ${mb(baseRss)} MB, peak ${mb(peak)} MB (+${mb(peak - baseRss)} MB)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
