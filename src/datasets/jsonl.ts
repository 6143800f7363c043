/**
 * Crash-safe JSONL files. An appender writes each batch of complete lines with one write() through a
 * FileHandle opened with 'a' (O_APPEND), one batch at a time; `append` resolves ("acknowledged") only
 * once the bytes are in the file (and flushed to disk with `durable`). A crash can at worst leave a
 * partial last line, which `repairTornTail` cuts off and keeps aside in `<file>.torn-<time>`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { repairTornTail } from './jsonl-repair.js';

export { repairTornTail, type RepairOptions } from './jsonl-repair.js';
export { countLines, readJsonl, type JsonlLine } from './jsonl-read.js';

export interface JsonlAppenderOptions {
  /** fdatasync after every batch (survives power loss, slower). Default false (survives process crashes). */
  durable?: boolean;
  /** Repair a torn tail before the file is first opened (default true). Reports bytes cut off. */
  repairOnOpen?: boolean;
  onRepair?: (file: string, bytesRemoved: number) => void;
  now?: () => Date;
}

/** Largest single write of `appendMany`; batches are split at line boundaries only. */
const MAX_BATCH_BYTES = 1 << 20;

export function toJsonLine(record: unknown): string {
  const json = JSON.stringify(record);
  if (typeof json !== 'string') throw new TypeError('Record is not JSON-serializable');
  return `${json}\n`;
}

/** Complete lines grouped into chunks of at most ~1 MiB (a single longer line is its own chunk). */
function toBatches(records: readonly unknown[]): string[] {
  const batches: string[] = [];
  let current = '';
  for (const record of records) {
    const line = toJsonLine(record);
    if (current.length > 0 && current.length + line.length > MAX_BATCH_BYTES) {
      batches.push(current);
      current = '';
    }
    current += line;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export class JsonlAppender {
  private handle: FileHandle | undefined;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Set when a write failed: the tail may be torn, so it is repaired before the next write. */
  private suspect: boolean;

  constructor(
    readonly file: string,
    private readonly opts: JsonlAppenderOptions = {},
  ) {
    this.suspect = opts.repairOnOpen ?? true;
  }

  /** True while a file handle is open. */
  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  /** True when nothing is queued and no file handle is open. */
  get idle(): boolean {
    return this.pending === 0 && this.handle === undefined;
  }

  append(record: unknown): Promise<void> {
    let line: string;
    try {
      line = toJsonLine(record);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.enqueue(() => this.write(line));
  }

  /** Appends many records, several complete lines per write (never more than ~1 MiB per write). */
  appendMany(records: readonly unknown[]): Promise<void> {
    let batches: string[];
    try {
      batches = toBatches(records);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.enqueue(async () => {
      for (const batch of batches) await this.write(batch);
    });
  }

  /** Appends complete lines (each ending in '\n'), several per write (never more than ~1 MiB per write). */
  appendText(lines: readonly string[]): Promise<void> {
    const batches: string[] = [];
    let current = '';
    for (const line of lines) {
      if (!line.endsWith('\n')) return Promise.reject(new TypeError('appendText needs complete lines'));
      if (current.length > 0 && current.length + line.length > MAX_BATCH_BYTES) {
        batches.push(current);
        current = '';
      }
      current += line;
    }
    if (current.length > 0) batches.push(current);
    return this.enqueue(async () => {
      for (const batch of batches) await this.write(batch);
    });
  }

  /** Atomically replaces the whole file by these records (temp file + rename), e.g. for compaction. */
  replace(records: readonly unknown[]): Promise<void> {
    let text: string;
    try {
      text = records.map(toJsonLine).join('');
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.enqueue(async () => {
      await this.closeHandle();
      await writeFileAtomic(this.file, text, this.opts.durable ?? false);
      this.suspect = false;
    });
  }

  /**
   * Rewrites the file through `transform` once queued writes are done (temp file + rename, synced: used to remove
   * forgotten lines for good); a missing file stays missing, an unchanged text is not rewritten.
   */
  rewrite(transform: (text: string) => string): Promise<void> {
    return this.enqueue(async () => {
      await this.closeHandle();
      const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      if (text === null) return;
      const next = transform(text);
      if (next !== text) await writeFileAtomic(this.file, next, true);
      this.suspect = false;
    });
  }

  /** Deletes the file once queued writes are done; a later append creates it again. */
  remove(): Promise<void> {
    return this.enqueue(async () => {
      await this.closeHandle();
      await rm(this.file, { force: true });
      this.suspect = false;
    });
  }

  /** Closes the file handle once queued writes are done; a later append reopens it. */
  close(): Promise<void> {
    return this.enqueue(() => this.closeHandle());
  }

  /** Resolves when everything queued so far is written. */
  flush(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.pending += 1;
    const result = this.queue.then(task).finally(() => {
      this.pending -= 1;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async write(text: string): Promise<void> {
    const handle = await this.openHandle();
    const bytes = Buffer.from(text, 'utf8');
    try {
      let offset = 0;
      // One write() in practice; a short write (disk full, signal) is continued so the line completes.
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        if (bytesWritten <= 0) throw new Error(`Short write to ${this.file}`);
        offset += bytesWritten;
      }
      if (this.opts.durable) await handle.datasync();
    } catch (err) {
      this.suspect = true;
      await this.closeHandle().catch(() => undefined);
      throw err;
    }
  }

  private async openHandle(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    await mkdir(dirname(this.file), { recursive: true });
    if (this.suspect) {
      const removed = await repairTornTail(this.file, { now: this.opts.now });
      if (removed > 0) this.opts.onRepair?.(this.file, removed);
      this.suspect = false;
    }
    this.handle = await open(this.file, 'a');
    return this.handle;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await handle.close();
  }
}

/** Writes `text` to a temp file in the same folder, then renames it over `file` (temp removed on failure). */
export async function writeFileAtomic(file: string, text: string, durable = true): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      if (durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}
