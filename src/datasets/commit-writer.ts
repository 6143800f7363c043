/**
 * The file side of DatasetStore.commit for one dataset at a time (the store serializes commits per
 * dataset): skips records whose content hash is stored (hash-index.ts), then appends the rest and
 * their hashes under a size journal (commit-journal.ts): all files or none.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { beginCommit, endCommit, fileSize, restoreSizes, type FileSizes } from './commit-journal.js';
import { HASH_FILE, HashIndex, recordHash } from './hash-index.js';
import { JsonlAppender, toJsonLine } from './jsonl.js';
import type { ChatRecord, DatasetFile, PreferenceRecord } from './types.js';

export interface CommitWriterOptions {
  dir: (name: string) => string;
  /** Records stored in a dataset (manifest counts), to check the hash index against. */
  records: (name: string) => Promise<number>;
  durable: boolean;
  now: () => Date;
  log?: Logger;
}

export interface WriteResult {
  written: Record<DatasetFile, number>;
  duplicates: number;
}

type Entry = { kind: DatasetFile; record: ChatRecord | PreferenceRecord };

export class CommitWriter {
  private readonly appenders = new Map<string, JsonlAppender>();
  private readonly indexes = new Map<string, HashIndex>();

  constructor(private readonly opts: CommitWriterOptions) {}

  /** Writes sanitized, validated entries; call one at a time per dataset. */
  async write(name: string, entries: readonly Entry[], dedupe: boolean): Promise<WriteResult> {
    const index = await this.index(name);
    const lines = new Map<DatasetFile, string[]>();
    const hashes: string[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    for (const entry of entries) {
      const line = toJsonLine(entry.record);
      const hash = recordHash(entry.kind, line.slice(0, -1));
      if (dedupe && (index.has(hash) || seen.has(hash))) {
        duplicates += 1;
        continue;
      }
      seen.add(hash);
      hashes.push(`${entry.kind} ${hash}\n`);
      const list = lines.get(entry.kind);
      if (list) list.push(line);
      else lines.set(entry.kind, [line]);
    }
    const written: Record<DatasetFile, number> = { positive: 0, negative: 0, preference: 0 };
    for (const [file, list] of lines) written[file] = list.length;
    if (hashes.length > 0) {
      await this.writeFiles(name, lines, hashes);
      for (const h of hashes) index.add(h.slice(h.indexOf(' ') + 1, -1));
    }
    return { written, duplicates };
  }

  async flush(): Promise<void> {
    await Promise.all([...this.appenders.values()].map((a) => a.flush().catch(() => undefined)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.appenders.values()].map((a) => a.close()));
    this.appenders.clear();
  }

  private async index(name: string): Promise<HashIndex> {
    let index = this.indexes.get(name);
    if (!index) {
      index = await HashIndex.load(this.opts.dir(name), await this.opts.records(name));
      this.indexes.set(name, index);
    }
    return index;
  }

  private async writeFiles(name: string, lines: Map<DatasetFile, string[]>, hashes: string[]): Promise<void> {
    const dir = this.opts.dir(name);
    const targets: [string, string[]][] = [...lines].map(([file, list]) => [`${file}.jsonl`, list]);
    targets.push([HASH_FILE, hashes]);
    const sizes: FileSizes = {};
    for (const [file] of targets) {
      await this.appender(name, file).flush();
      sizes[file] = await fileSize(join(dir, file));
    }
    await beginCommit(dir, sizes, this.opts.durable);
    try {
      for (const [file, list] of targets) await this.appender(name, file).appendText(list);
    } catch (err) {
      await Promise.all(targets.map(([file]) => this.appender(name, file).close().catch(() => undefined)));
      await restoreSizes(dir, sizes)
        .then(() => endCommit(dir))
        .catch((e: unknown) => this.opts.log?.error({ err: e, dataset: name }, 'rollback failed; it is retried at the next start'));
      throw err;
    }
    await endCommit(dir);
  }

  /** One appender per file (also used by tests to inject a failing write). */
  appender(name: string, file: string): JsonlAppender {
    const key = `${name}/${file}`;
    let appender = this.appenders.get(key);
    if (!appender) {
      appender = new JsonlAppender(join(this.opts.dir(name), file), {
        // `.hashes` lines are not JSON: the JSON torn-tail repair would cut a good last line (the journal covers it).
        repairOnOpen: file !== HASH_FILE,
        durable: this.opts.durable,
        now: this.opts.now,
        onRepair: (path, bytesRemoved) => this.opts.log?.warn({ file: path, bytesRemoved }, 'torn JSONL tail repaired'),
      });
      this.appenders.set(key, appender);
    }
    return appender;
  }
}
