/**
 * Content hashes of the records of one dataset, so re-sending the same file or record adds nothing
 * twice. Kept in `<dataset>/.hashes` (one "<file> <sha256/128 hex>" per line, appended in the same
 * commit as the records); rebuilt from the data files when it is missing or its count disagrees.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeFileAtomic } from './jsonl.js';
import { dataFile, DATASET_FILES } from './manifest.js';
import type { DatasetFile } from './types.js';

export const HASH_FILE = '.hashes';

/** `line` is the stored JSON text without its newline. */
export function recordHash(file: DatasetFile, line: string): string {
  return createHash('sha256').update(file).update('\n').update(line).digest('hex').slice(0, 32);
}

async function* lines(file: string): AsyncGenerator<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const text of reader) if (text.trim() !== '') yield text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  } finally {
    reader.close();
    input.destroy();
  }
}

export class HashIndex {
  private constructor(private readonly hashes: Set<string>) {}

  has(hash: string): boolean {
    return this.hashes.has(hash);
  }

  add(hash: string): void {
    this.hashes.add(hash);
  }

  get size(): number {
    return this.hashes.size;
  }

  /** Loads `.hashes`; rebuilds it from the data files when its line count is not `records`. */
  static async load(dir: string, records: number): Promise<HashIndex> {
    const stored: string[] = [];
    for await (const line of lines(join(dir, HASH_FILE))) stored.push(line.slice(line.indexOf(' ') + 1));
    if (stored.length === records) return new HashIndex(new Set(stored));
    return HashIndex.rebuild(dir);
  }

  static async rebuild(dir: string): Promise<HashIndex> {
    const out: string[] = [];
    for (const file of DATASET_FILES) {
      for await (const line of lines(dataFile(dir, file))) out.push(`${file} ${recordHash(file, line)}`);
    }
    await writeFileAtomic(join(dir, HASH_FILE), out.length ? `${out.join('\n')}\n` : '', false);
    return new HashIndex(new Set(out.map((l) => l.slice(l.indexOf(' ') + 1))));
  }
}
