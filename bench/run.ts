/**
 * `npm run bench`: every benchmark in turn, then the ratio table (Eos / reference bots) and the engine table on
 * stdout and in docs/BENCHMARKS.md (progress lines go to stderr). Results are also saved as JSON
 * (.tmp/bench-results.json) so a later run can show them as its "before" column.
 *   npm run bench                                  everything, docs/BENCHMARKS.md rewritten
 *   npm run bench -- --before=<results.json>       adds that run's ratios as a "Before" column
 *   npm run bench -- --quick                       shorter windows, no engines, no doc (while developing)
 *   npm run bench -- --no-doc --out=<file>         results only
 *   npm run bench -- --skip-engines                ratios only (no ingest/archive/voice/retrieval), doc still written
 *   npm run bench -- --shards [--quick]            1, 2 and 4 shards (bench/shards.ts), ratios to one shard
 * The "before" results come from an older checkout: EOS_BENCH_EOS_ROOT=<checkout> EOS_BENCH_EOS_SOURCE=1
 * (its TypeScript through tsx, as its `npm start` did) and EOS_BENCH_BEHAVIOUR=<its config JSON> with --no-doc.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArchiveFigures } from './archive.js';
import { runInChild } from './lib/fn-child.js';
import { describeMachine, loadAverage1m, machineLine } from './lib/machine.js';
import { runMemory } from './memory.js';
import { renderDoc } from './report-doc.js';
import { ratios, renderEngineTable, renderRatioTable, type BenchResults, type Ratio } from './report.js';
import { runStart } from './start.js';
import { DEFAULT_TEXT_OPTIONS, runTextPath, type TextPathOptions } from './text-path.js';
import type { TrainIngestFigures } from './train-ingest.js';
import type { VoicePipelineFigures } from './voice-pipeline.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOC = path.join(ROOT, 'docs/BENCHMARKS.md');

/** Hand-written notes (profiles, partial runs) after this line of docs/BENCHMARKS.md survive a regenerated doc. */
const NOTES_MARKER = '<!-- Notes below are kept when npm run bench rewrites this file. -->';

async function keptNotes(): Promise<string> {
  const old = await readFile(DOC, 'utf8').catch(() => '');
  const at = old.indexOf(NOTES_MARKER);
  return at < 0 ? '' : `\n${old.slice(at)}`;
}

function flag(name: string): string | true | undefined {
  const arg = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!arg) return undefined;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : true;
}

async function main(): Promise<void> {
  const started = performance.now();
  const quick = flag('quick') === true;
  const writeDoc = !quick && flag('no-doc') === undefined;
  const out = typeof flag('out') === 'string' ? (flag('out') as string) : path.join(ROOT, '.tmp/bench-results.json');
  const beforeFile = flag('before');
  const details: string[] = [];
  const log = (line: string) => {
    details.push(line);
    process.stderr.write(`${line}\n`);
  };
  // The bots run the compiled build, as `npm start` does.
  if (!process.env.EOS_BENCH_EOS_SOURCE)
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
  if (flag('shards')) {
    // Sharding: 1, 2 and 4 shards (discord.js ShardingManager) as ratios to one shard; see bench/shards.ts.
    const { renderShardTable, runShardBench } = await import('./shards.js');
    const rows = await runShardBench([1, 2, 4], { observe: quick ? 200 : 1000, loopMs: quick ? 5000 : 15_000 }, log);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out.replace(/\.json$/, '-shards.json'), JSON.stringify({ machine: await describeMachine(), rows }, null, 2));
    process.stdout.write(`${renderShardTable(rows)}\n`);
    return;
  }
  const machine = await describeMachine();
  const loadBefore = loadAverage1m();
  log(`machine: ${machineLine(machine)}; 1-min load average ${loadBefore.toFixed(2)}`);
  const textOptions: TextPathOptions = quick ? { ...DEFAULT_TEXT_OPTIONS, replyMs: 4000, observeMs: 4000 } : DEFAULT_TEXT_OPTIONS;
  const text = await runTextPath(textOptions, log);
  const memory = await runMemory(quick ? 200 : 1000, quick ? 20 : 50, log);
  const start = await runStart(quick ? 1 : 3, log);
  const results: BenchResults = { text, textOptions, memory, start };
  if (writeDoc && flag('skip-engines') === undefined) {
    // Each in-process bench runs in a fresh child process, like when it runs alone.
    const bench = (file: string) => path.join(import.meta.dirname, file);
    results.ingest = await runInChild<TrainIngestFigures>(bench('train-ingest.ts'), 'runTrainIngest', [3]);
    log(
      `train ingest: ${results.ingest.plain.report.bytes} bytes in ${results.ingest.plain.report.ms.toFixed(0)} ms (default), ${results.ingest.tokenized.report.ms.toFixed(0)} ms (tokenized)`,
    );
    results.archive = await runInChild<ArchiveFigures>(bench('archive.ts'), 'runArchive', [100, 1, 3]);
    log(`archive: ${results.archive.inputBytes} bytes -> ${results.archive.zipBytes} bytes in ${results.archive.ms.toFixed(0)} ms`);
    results.voice = await runInChild<VoicePipelineFigures>(bench('voice-pipeline.ts'), 'runVoicePipeline', [3, 60], (line) =>
      log(`voice: ${line}`),
    );
    const { retrievalTable, runRetrieval } = await import('./retrieval.js'); // few-shot memory at 10k / 100k / 1M examples (each size in a child)
    log(`retrieval:\n${retrievalTable(await runRetrieval([10_000, 100_000, 1_000_000], (line) => log(`retrieval: ${line}`)))}`);
  }
  const now = ratios(results);
  const before =
    typeof beforeFile === 'string' ? (JSON.parse(await readFile(beforeFile, 'utf8')) as { ratios: Ratio[] }).ratios : undefined;
  const ratioTable = renderRatioTable(now, before);
  const engineTable = renderEngineTable(results);
  const totalSeconds = (performance.now() - started) / 1000;
  const load = { before: loadBefore, after: loadAverage1m() };
  log(`1-min load average at the end: ${load.after.toFixed(2)}`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ machine, load, results, ratios: now, details }, null, 2));
  if (writeDoc)
    await writeFile(
      DOC,
      renderDoc({ machine, ratioTable, engineTable, text: textOptions, details, totalSeconds, load, withBefore: before !== undefined }) +
        (await keptNotes()),
    );
  process.stdout.write(`${ratioTable}\n\n${engineTable}\n`);
  process.stderr.write(
    `\nresults in ${path.relative(process.cwd(), out)}${writeDoc ? `, ${path.relative(process.cwd(), DOC)}` : ''} (${totalSeconds.toFixed(0)} s)\n`,
  );
}

await main();
