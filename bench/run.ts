/**
 * `npm run bench`: every benchmark in turn, then one markdown table on stdout and docs/BENCHMARKS.md
 * (progress lines go to stderr). About 2.5 minutes on a 2-core machine.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArchiveFigures } from './archive.js';
import { runInChild } from './lib/fn-child.js';
import { describeMachine, loadAverage1m, machineLine } from './lib/machine.js';
import { runMemory } from './memory.js';
import { renderDoc } from './report-doc.js';
import { renderTable } from './report.js';
import { DEFAULT_TEXT_OPTIONS, runTextPath } from './text-path.js';
import type { TrainIngestFigures } from './train-ingest.js';
import type { VoicePipelineFigures } from './voice-pipeline.js';

const DOC = path.resolve(import.meta.dirname, '../docs/BENCHMARKS.md');

async function main(): Promise<void> {
  const started = performance.now();
  const details: string[] = [];
  const log = (line: string) => {
    details.push(line);
    process.stderr.write(`${line}\n`);
  };
  const machine = await describeMachine();
  const loadBefore = loadAverage1m();
  log(`machine: ${machineLine(machine)}; 1-min load average ${loadBefore.toFixed(2)}`);
  // Each in-process bench runs in a fresh child process, like when it runs alone; the bots run in children too.
  const bench = (file: string) => path.join(import.meta.dirname, file);
  const ingest = await runInChild<TrainIngestFigures>(bench('train-ingest.ts'), 'runTrainIngest', [3]);
  log(`train ingest: ${ingest.plain.report.bytes} bytes in ${ingest.plain.report.ms.toFixed(0)} ms (default), ${ingest.tokenized.report.ms.toFixed(0)} ms (tokenized)`);
  const archive = await runInChild<ArchiveFigures>(bench('archive.ts'), 'runArchive', [100, 1, 3]);
  log(`archive: ${archive.inputBytes} bytes -> ${archive.zipBytes} bytes in ${archive.ms.toFixed(0)} ms`);
  const voice = await runInChild<VoicePipelineFigures>(bench('voice-pipeline.ts'), 'runVoicePipeline', [3, 60], (line) => log(`voice: ${line}`));
  const memory = await runMemory(1000, 50, log);
  const { retrievalTable, runRetrieval } = await import('./retrieval.js'); // few-shot memory at 10k / 100k / 1M examples (each size in a child)
  log(`retrieval:\n${retrievalTable(await runRetrieval([10_000, 100_000, 1_000_000], (line) => log(`retrieval: ${line}`)))}`);
  const text = await runTextPath(DEFAULT_TEXT_OPTIONS, log);
  const table = renderTable({ text, textOptions: DEFAULT_TEXT_OPTIONS, memory, ingest, archive, voice });
  const totalSeconds = (performance.now() - started) / 1000;
  const load = { before: loadBefore, after: loadAverage1m() };
  log(`1-min load average at the end: ${load.after.toFixed(2)}`);
  await writeFile(DOC, renderDoc({ machine, table, text: DEFAULT_TEXT_OPTIONS, details, totalSeconds, load }));
  process.stdout.write(`${table}\n`);
  process.stderr.write(`\nwritten to ${path.relative(process.cwd(), DOC)} (${totalSeconds.toFixed(0)} s)\n`);
}

await main();
