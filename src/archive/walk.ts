/** Lists what goes into an archive: regular files and directories of a tree, never following symlinks. */
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface TreeEntry {
  /** Absolute path on disk. */
  abs: string;
  /** Path relative to the walked root, '/'-separated. */
  rel: string;
  kind: 'file' | 'dir';
  stats: Stats;
}

/**
 * Yields directories (before their content) and regular files below `root`, sorted by name.
 * Skipped: symlinks, sockets, devices, dot-entries (journal, hash index, lock files) and the temporary files of
 * atomic writes (`<name>.tmp-<pid>-<hex>`, e.g. a manifest being rewritten: they vanish at any moment).
 */
const TEMP = /\.tmp-\d+-[0-9a-f]+$/;

export async function* walkTree(root: string, rel = ''): AsyncGenerator<TreeEntry> {
  const dir = rel === '' ? root : path.join(root, ...rel.split('/'));
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || TEMP.test(entry.name)) continue;
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield { abs, rel: childRel, kind: 'dir', stats: await lstat(abs) };
      yield* walkTree(root, childRel);
    } else if (entry.isFile()) {
      yield { abs, rel: childRel, kind: 'file', stats: await lstat(abs) };
    }
  }
}
