/** Lists finished archives (hidden temporary files of archives being written are left out). */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface ArchiveInfo {
  /** File name, e.g. 'default-20250131-123456.zip'. */
  name: string;
  path: string;
  bytes: number;
  modified: Date;
}

/** Newest first; [] when the folder does not exist. */
export async function listArchives(archivesDir: string): Promise<ArchiveInfo[]> {
  let names: string[];
  try {
    names = await readdir(archivesDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const found: ArchiveInfo[] = [];
  for (const name of names) {
    if (name.startsWith('.') || !name.endsWith('.zip')) continue;
    const full = path.join(archivesDir, name);
    const info = await lstat(full).catch(() => undefined);
    if (!info?.isFile()) continue;
    found.push({ name, path: full, bytes: info.size, modified: info.mtime });
  }
  return found.sort((a, b) => b.modified.getTime() - a.modified.getTime() || (a.name < b.name ? 1 : -1));
}
