/** Rotating backups of the state file: eos.json.bak.1 (newest) … eos.json.bak.N (oldest). */
import { copyFile, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export function backupPath(file: string, index: number): string {
  return `${file}.bak.${index}`;
}

async function moveIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Backups with an index above `keep` (e.g. after lowering the count) are deleted. */
async function pruneBackups(file: string, keep: number): Promise<void> {
  const prefix = `${basename(file)}.bak.`;
  for (const name of await readdir(dirname(file))) {
    if (!name.startsWith(prefix)) continue;
    const index = Number(name.slice(prefix.length));
    if (Number.isInteger(index) && index > keep) await unlink(join(dirname(file), name)).catch(() => undefined);
  }
}

/**
 * Shifts .bak.i to .bak.i+1 (dropping the oldest) and copies the current file to .bak.1.
 * Returns false when there is no current file to back up.
 */
export async function rotateBackups(file: string, keep: number): Promise<boolean> {
  if (keep <= 0) return false;
  try {
    await copyFile(file, `${file}.bak.tmp`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  for (let i = keep - 1; i >= 1; i--) await moveIfExists(backupPath(file, i), backupPath(file, i + 1));
  await rename(`${file}.bak.tmp`, backupPath(file, 1));
  await pruneBackups(file, keep);
  return true;
}
