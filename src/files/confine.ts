/**
 * Resolves a user-supplied path for `!getfile <path>` to a regular file strictly inside one of a few roots.
 * The first segment names the root (`datasets/default/positive.jsonl`, `archives/x.zip`). The text is checked
 * before touching the disk (no encodings, look-alikes, traversal, absolute or home paths), then the real path is
 * compared with the root's real path, so symlinks that lead out are refused too.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type ConfineResult = { ok: true; path: string; root: string; size: number } | { ok: false; reason: string };

const MAX_LENGTH = 512;
/** Every segment: ASCII letters, digits, '.', '_', '-', not starting with '.' (no dot-files, no '.' or '..'). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Checks the text of the request; returns a refusal reason or the segments. */
export function checkRequestText(requested: string): { reason: string } | { segments: string[] } {
  if (typeof requested !== 'string' || requested.length === 0) return { reason: 'empty path' };
  if (requested.length > MAX_LENGTH) return { reason: 'path too long' };
  if (/[\u0000-\u001f\u007f]/.test(requested)) return { reason: 'control characters are not allowed' };
  if (requested.includes('\\')) return { reason: 'backslashes are not allowed' };
  if (requested.includes('%')) return { reason: 'URL-encoded paths are not allowed' };
  if (requested.normalize('NFKC') !== requested) return { reason: 'look-alike unicode characters are not allowed' };
  if (/[^\x20-\x7e]/.test(requested)) return { reason: 'only ASCII paths are allowed' };
  if (requested.trim() !== requested) return { reason: 'leading or trailing spaces are not allowed' };
  if (requested.startsWith('/')) return { reason: 'absolute paths are not allowed' };
  if (/^[A-Za-z]:/.test(requested)) return { reason: 'drive letters are not allowed' };
  if (requested.startsWith('~')) return { reason: 'home directories (~) are not allowed' };
  const segments = requested.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { reason: '"." and ".." segments are not allowed' };
  if (segments.some((s) => s === '')) return { reason: 'empty path segments are not allowed' };
  if (segments.some((s) => !SEGMENT.test(s))) {
    return { reason: 'names may only use letters, digits, ".", "_" and "-" and may not start with "."' };
  }
  if (segments.length < 2) return { reason: 'name a file inside a folder, e.g. datasets/default/positive.jsonl' };
  return { segments };
}

/**
 * `roots` maps a root name to its directory, e.g. `{ datasets: '/srv/eos/datasets', archives: ... }`.
 * Never throws; every refusal comes back as `{ ok: false, reason }` (safe to show to the user).
 */
export async function resolveConfined(roots: Record<string, string>, requested: string): Promise<ConfineResult> {
  const text = checkRequestText(requested);
  if ('reason' in text) return { ok: false, reason: text.reason };
  const [rootName, ...rest] = text.segments;
  if (rootName === undefined || !Object.hasOwn(roots, rootName)) {
    return { ok: false, reason: `unknown folder; use one of: ${Object.keys(roots).sort().join(', ')}` };
  }
  const rootDir = roots[rootName];
  if (typeof rootDir !== 'string' || rootDir === '') return { ok: false, reason: 'that folder is not configured' };
  try {
    const realRoot = await realpath(path.resolve(rootDir));
    const real = await realpath(path.join(realRoot, ...rest));
    if (!real.startsWith(realRoot + path.sep)) return { ok: false, reason: 'the path leads outside its folder' };
    const info = await stat(real);
    if (!info.isFile()) return { ok: false, reason: info.isDirectory() ? 'that is a folder, not a file' : 'not a regular file' };
    return { ok: true, path: real, root: rootName, size: info.size };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'no such file' };
    if (code === 'ELOOP') return { ok: false, reason: 'too many symlinks' };
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: 'permission denied' };
    return { ok: false, reason: 'the file cannot be read' };
  }
}
