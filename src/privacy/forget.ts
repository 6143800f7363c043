import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { normalizeText } from './contributions.js';

/** A stored string, and each of its lines with and without a "Speaker: " prefix, as candidates for a match. */
export function variants(s: string): string[] {
  const out = new Set<string>([s]);
  for (const line of s.split('\n')) {
    out.add(line);
    const m = /^[^:\n]{1,64}:\s*([\s\S]*)$/.exec(line);
    if (m) out.add(m[1]!);
  }
  const prefixed = /^[^:\n]{1,64}:\s*([\s\S]*)$/.exec(s);
  if (prefixed) out.add(prefixed[1]!);
  return [...out].map(normalizeText).filter((t) => t.length > 0);
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

export interface RemovalResult {
  files: number;
  lines: number;
  /** `messageId`s found in removed lines (candidates to drop from memory too). */
  messageIds: string[];
}

/**
 * Removes every JSONL line holding a string that `matches` (a whole record, so no half record is
 * left). Files are rewritten in place (same inode: open appenders keep appending to them).
 * `readOnly`: only reports what would go (files another process writes: their message IDs are still dropped).
 */
export async function removeMatchingLines(
  files: readonly string[],
  matches: (text: string) => boolean,
  matchesRecord: (record: unknown) => boolean = () => false,
  opts: { readOnly?: boolean } = {},
): Promise<RemovalResult> {
  const result: RemovalResult = { files: 0, lines: 0, messageIds: [] };
  for (const file of files) {
    const fh = await open(file, opts.readOnly ? 'r' : 'r+').catch(() => null);
    if (!fh) continue;
    try {
      const text = await fh.readFile('utf8');
      const kept: string[] = [];
      let removed = 0;
      for (const line of text.split('\n')) {
        if (!line) continue;
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(line);
        } catch {
          kept.push(line);
          continue;
        }
        if (matchesRecord(parsed) || strings(parsed).some((s) => variants(s).some(matches))) {
          removed++;
          collectIds(parsed, result.messageIds);
        } else kept.push(line);
      }
      if (removed === 0 || opts.readOnly) continue;
      const out = Buffer.from(kept.length ? `${kept.join('\n')}\n` : '');
      await fh.write(out, 0, out.length, 0);
      await fh.truncate(out.length);
      await fh.sync();
      result.files++;
      result.lines += removed;
    } finally {
      await fh.close();
    }
  }
  return result;
}

function collectIds(value: unknown, out: string[]): void {
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'messageId' && typeof v === 'string') out.push(v);
    else if (typeof v === 'object') collectIds(v, out);
  }
}

/** Every `.jsonl` file under `dir` (recursive), and those of `dir` whose name starts with `prefix`. */
export async function jsonlFiles(dir: string, prefix = ''): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names
    .map(String)
    .filter((n) => n.endsWith('.jsonl') && path.basename(n).startsWith(prefix))
    .map((n) => path.join(dir, n));
}
