/**
 * All-or-nothing writes across the files of one dataset. Before a batch is appended, the sizes of
 * the files it touches are written to `<dataset>/.commit-journal.json` (atomically); the journal is
 * removed once every append is done (the commit point). After an error the files are cut back to
 * those sizes at once; after a crash, `rollbackJournal` (run by reconcile at start) does it.
 */
import { readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './jsonl.js';

export const JOURNAL_FILE = '.commit-journal.json';

/** File name (inside the dataset folder) → size in bytes before the batch. */
export type FileSizes = Record<string, number>;

export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

export async function beginCommit(dir: string, sizes: FileSizes, durable: boolean): Promise<void> {
  await writeFileAtomic(join(dir, JOURNAL_FILE), JSON.stringify({ sizes }), durable);
}

export async function endCommit(dir: string): Promise<void> {
  await rm(join(dir, JOURNAL_FILE), { force: true });
}

/** Cuts every file back to its recorded size (files that did not exist are emptied). */
export async function restoreSizes(dir: string, sizes: FileSizes): Promise<void> {
  for (const [name, size] of Object.entries(sizes)) {
    if (name.includes('/') || name.includes('\\') || !Number.isInteger(size) || size < 0) continue;
    const file = join(dir, name);
    if ((await fileSize(file)) > size) await truncate(file, size);
  }
}

/** Rolls back an unfinished commit found in `dir`; returns true when there was one. */
export async function rollbackJournal(dir: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(dir, JOURNAL_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  let sizes: FileSizes | undefined;
  try {
    sizes = (JSON.parse(text) as { sizes?: FileSizes }).sizes;
  } catch {
    sizes = undefined; // a journal is written atomically; an unreadable one was never a commit's start
  }
  if (sizes && typeof sizes === 'object') await restoreSizes(dir, sizes);
  await endCommit(dir);
  return true;
}
