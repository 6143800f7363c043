/**
 * Group-commit appender for JSONL files (used by the conversation log and the privacy contribution index).
 *
 * Durability rule: write() queues text in memory and returns at once; queued text is written in batches:
 * a batch starts on the next turn of the event loop, or as soon as the batch before it is written, so the
 * busier the process, the more lines share one write per file. `flushMs` > 0 instead waits that long to
 * gather a batch. flush() / close() write everything queued. A SIGKILL or power loss loses the queued text
 * and the batch in flight (a few milliseconds' worth with the default); it never tears a line: each batch is
 * whole lines in one write, and a torn tail left by a crash is cut off (and kept aside) before a file's first
 * batch. Files stay open between batches (at most `maxOpen`, least recently used closed first); a folder is
 * created and a file's tail checked once, when the file is opened.
 *
 * Cost: a batch's text goes to each open file with one synchronous write(2) (`writeSync` on the handle's fd):
 * an append to the page cache takes a few microseconds, while an async write costs ~40-50 µs of CPU in promise
 * and thread-pool hand-offs, which was the largest cost per observed message (bench/profile.ts). Opening a file
 * (folder creation, tail check) stays asynchronous, and so does the whole write when `durable` (fsync) is on.
 */
import { writeSync } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { repairTornTail } from './jsonl.js';

export interface BatchedWriterOptions {
  /** Most files kept open between batches (default 256). */
  maxOpen?: number;
  /** fsync each batch (default false). */
  durable?: boolean;
  /** Time to gather a batch before writing it; 0 (default) = group commit. */
  flushMs?: number;
  /** Pending bytes (all files) that trigger a write at once (default 256 KiB). */
  maxBufferBytes?: number;
  /** Mode of files this writer creates (default 0o666 before umask). */
  mode?: number;
  log?: Logger;
  now?: () => Date;
  /** For tests: counts the folder creations and file opens. */
  fs?: { mkdir: typeof mkdir; open: typeof open };
}

export class BatchedWriter {
  /** Text waiting to be written, per file, in write order. */
  private pending = new Map<string, string[]>();
  private pendingBytes = 0;
  /** Open files, least recently used first (their tails were checked when they were opened). */
  private readonly handles = new Map<string, FileHandle>();
  private readonly maxOpen: number;
  private scheduled: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** The batch being written (batches run one at a time, so a file's lines stay in order). */
  private writing: Promise<void> = Promise.resolve();
  /**
   * The batch queued behind the one being written that has not taken its text yet: every later flush() without
   * `then` joins it. Without this, each write() over `maxBufferBytes` while a batch was in flight chained one
   * more job (a promise, its reaction and closures): in a burst of 50,000 observed messages that was ~46,000
   * pending jobs, ~15 MiB of heap and more resident memory (bench/memory.ts).
   */
  private next: Promise<void> | null = null;
  /** Batches queued behind the one being written (not started yet). */
  private queued = 0;
  private readonly flushMs: number;
  private readonly maxBufferBytes: number;
  private readonly fs: { mkdir: typeof mkdir; open: typeof open };

  constructor(private readonly opts: BatchedWriterOptions = {}) {
    this.flushMs = Math.max(0, opts.flushMs ?? 0);
    this.maxBufferBytes = Math.max(1, opts.maxBufferBytes ?? 256 * 1024);
    this.maxOpen = Math.max(1, Math.floor(opts.maxOpen ?? 256));
    this.fs = opts.fs ?? { mkdir, open };
  }

  /** Queues whole lines (each ending in '\n') for `file`; see the durability rule above. */
  write(file: string, text: string): void {
    if (text === '') return;
    const lines = this.pending.get(file);
    if (lines) lines.push(text);
    else this.pending.set(file, [text]);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= this.maxBufferBytes) void this.flush();
    else this.scheduled ??= this.flushMs > 0 ? setTimeout(() => void this.flush(), this.flushMs) : setImmediate(() => void this.flush());
  }

  /** Batches queued and not started yet (at most 1 plus one per flush with `then`: plain flushes join one). */
  queuedBatches(): number {
    return this.queued;
  }

  /** Number of files currently open. */
  openFiles(): number {
    return this.handles.size;
  }

  /**
   * Writes everything queued; resolves once it is in its files. `then` (e.g. rewriting a file in place) runs
   * right after, before any later batch starts; its error rejects this call only.
   */
  flush(then?: () => Promise<void>): Promise<void> {
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
    }
    this.scheduled = null;
    if (!then && this.next) return this.next;
    // The batch is taken when the previous one is done, so text queued meanwhile joins it.
    this.queued++;
    const job = this.writing.then(async () => {
      this.queued--;
      if (this.next === job) this.next = null;
      const batch = this.pending;
      this.pending = new Map();
      this.pendingBytes = 0;
      await this.writeBatch(batch);
      await then?.();
    });
    this.writing = job.catch(() => undefined);
    // A flush with `then` is a barrier: text queued after it goes in a later batch, after `then`.
    this.next = then ? null : job;
    return job;
  }

  /** Flushes and closes every file; a later write reopens its file and checks its tail again. */
  async close(): Promise<void> {
    await this.flush();
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  }

  private async writeBatch(batch: Map<string, string[]>): Promise<void> {
    for (const [file, lines] of batch) {
      try {
        const handle = await this.handle(file);
        const text = lines.join('');
        if (this.opts.durable) {
          await handle.writeFile(text); // all of it, however many write calls that takes
          await handle.datasync();
        } else writeAll(handle.fd, Buffer.from(text, 'utf8'));
      } catch (err) {
        this.opts.log?.error({ err, file, lines: lines.length }, 'could not append to a file');
        await this.handles.get(file)?.close().catch(() => undefined);
        this.handles.delete(file);
      }
    }
  }

  /** The file's open handle (most recently used now); opening checks the tail and may close the least recent. */
  private async handle(file: string): Promise<FileHandle> {
    let handle = this.handles.get(file);
    if (handle) {
      this.handles.delete(file);
      this.handles.set(file, handle);
      return handle;
    }
    await this.fs.mkdir(dirname(file), { recursive: true });
    const bytesRemoved = await repairTornTail(file, { now: this.opts.now });
    if (bytesRemoved > 0) this.opts.log?.warn({ file, bytesRemoved }, 'torn JSONL tail repaired');
    handle = await this.fs.open(file, 'a', this.opts.mode);
    this.handles.set(file, handle);
    while (this.handles.size > this.maxOpen) {
      const [oldest, h] = this.handles.entries().next().value as [string, FileHandle];
      this.handles.delete(oldest);
      await h.close().catch(() => undefined);
    }
    return handle;
  }
}

/** Writes the whole buffer at the fd's (append-mode) position, however many write(2) calls that takes. */
function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}
