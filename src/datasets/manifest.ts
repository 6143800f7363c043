/**
 * `<dataset>/manifest.json`: name, dates, record counts per file and per source. Written atomically
 * (temp file + rename). `reconcileDataset` repairs torn tails and rebuilds the counts from the files
 * when the manifest is missing, unreadable or wrong (sources cannot be rebuilt: they are kept).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { rollbackJournal } from './commit-journal.js';
import { countLines, repairTornTail, writeFileAtomic } from './jsonl.js';
import type { DatasetFile, DatasetManifest, RecordSource, RepairReport } from './types.js';

export const DATASET_FILES: readonly DatasetFile[] = ['positive', 'negative', 'preference'];
export const RECORD_SOURCES: readonly RecordSource[] = ['feedback', 'correction', 'train', 'import', 'voice', 'capture'];
export const MANIFEST_FILE = 'manifest.json';

export function dataFile(dir: string, file: DatasetFile): string {
  return join(dir, `${file}.jsonl`);
}

export function emptyCounts(): Record<DatasetFile, number> {
  return { positive: 0, negative: 0, preference: 0 };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function parseManifest(value: unknown): DatasetManifest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const counts = m.counts as Record<string, unknown> | undefined;
  const sources = m.sources as Record<string, unknown> | undefined;
  if (typeof m.name !== 'string' || typeof m.created !== 'string' || typeof m.updated !== 'string') return undefined;
  if (typeof counts !== 'object' || counts === null || !DATASET_FILES.every((f) => isCount(counts[f]))) return undefined;
  const cleanSources: Partial<Record<RecordSource, number>> = {};
  if (typeof sources === 'object' && sources !== null) {
    for (const s of RECORD_SOURCES) if (isCount(sources[s])) cleanSources[s] = sources[s];
  }
  const cleanCounts = emptyCounts();
  for (const f of DATASET_FILES) cleanCounts[f] = counts[f] as number;
  return { name: m.name, created: m.created, updated: m.updated, counts: cleanCounts, sources: cleanSources };
}

/** The manifest on disk, or undefined when it is missing or not a valid manifest. */
export async function readManifest(dir: string): Promise<DatasetManifest | undefined> {
  try {
    return parseManifest(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

export async function writeManifest(dir: string, manifest: DatasetManifest, durable = true): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, durable);
}

async function createdTime(dir: string, now: Date): Promise<string> {
  try {
    const { birthtimeMs } = await stat(dir);
    return birthtimeMs > 0 ? new Date(birthtimeMs).toISOString() : now.toISOString();
  } catch {
    return now.toISOString();
  }
}

export interface Reconciled {
  manifest: DatasetManifest;
  repairs: RepairReport[];
  /** True when the manifest was (re)written. */
  rebuilt: boolean;
}

/** Removes temp files left by a manifest write that was interrupted (the manifest itself is intact). */
async function removeStaleTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => n.startsWith(`${MANIFEST_FILE}.tmp-`));
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
}

/** Rolls back an unfinished commit, repairs the three files of a dataset, then checks the manifest against their line counts. */
export async function reconcileDataset(dir: string, name: string, now: () => Date): Promise<Reconciled> {
  await removeStaleTemps(dir);
  await rollbackJournal(dir);
  const repairs: RepairReport[] = [];
  const counts = emptyCounts();
  for (const file of DATASET_FILES) {
    const bytesRemoved = await repairTornTail(dataFile(dir, file), { now });
    if (bytesRemoved > 0) repairs.push({ dataset: name, file, bytesRemoved });
    counts[file] = await countLines(dataFile(dir, file));
  }
  const existing = await readManifest(dir);
  if (existing && existing.name === name && DATASET_FILES.every((f) => existing.counts[f] === counts[f])) {
    return { manifest: existing, repairs, rebuilt: false };
  }
  const date = now();
  const manifest: DatasetManifest = {
    name,
    created: existing?.created ?? (await createdTime(dir, date)),
    updated: date.toISOString(),
    counts,
    sources: existing?.sources ?? {},
  };
  await writeManifest(dir, manifest);
  return { manifest, repairs, rebuilt: true };
}
