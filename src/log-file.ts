/**
 * Rotating log files `<dir>/<base>.<n>.log` written in the main thread through pino's own asynchronous
 * destination (SonicBoom: the writes happen on libuv's threads, the line is never serialized twice). It replaces
 * the pino-roll worker thread, which cost a second V8 isolate (about 21 MiB of RSS) for a few lines a second.
 * Same files and rules as before: numbering continues after the highest number found in the folder; the active
 * file rolls to the next number once it reaches `size` bytes; at most `files` files are kept (older ones are
 * deleted after each roll). A line is never split across two files.
 */
import { mkdirSync, openSync, readdirSync, statSync, unlink } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';

export interface RollingFileOptions {
  dir: string;
  /** Base name: files are `<base>.<n>.log`. */
  base: string;
  /** Roll when the active file reaches this many bytes. */
  size: number;
  /** Files kept, the active one included (at least 2). */
  files: number;
  onError?: (err: Error) => void;
}

type Destination = ReturnType<typeof pino.destination>;

export class RollingFile {
  private readonly pattern: RegExp;
  private number: number;
  private bytes: number;
  private dest: Destination;
  /** Destinations of rolled files still writing their last lines. */
  private readonly ending = new Set<Promise<void>>();
  private closed: Promise<void> | null = null;

  constructor(private readonly opts: RollingFileOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.pattern = new RegExp(`^${opts.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.log$`);
    this.number = Math.max(1, ...this.numbers());
    this.bytes = statSync(this.path(this.number), { throwIfNoEntry: false })?.size ?? 0;
    this.dest = this.open();
  }

  write(line: string): void {
    if (this.closed) return;
    const bytes = Buffer.byteLength(line);
    if (this.bytes > 0 && this.bytes + bytes > this.opts.size) this.roll();
    this.bytes += bytes;
    this.dest.write(line);
  }

  /** Calls back once every line written so far to the active file is on disk (in the kernel's cache). */
  flush(cb: (err?: Error) => void): void {
    if (this.closed) return cb();
    this.dest.flush((err) => cb(err ?? undefined));
  }

  async close(): Promise<void> {
    this.closed ??= Promise.all([end(this.dest), ...this.ending]).then(() => undefined);
    return this.closed;
  }

  /**
   * The file is opened synchronously (a few microseconds, once per `size` bytes), so a file exists as soon as it
   * is rolled to and pruning never races an open. minLength 1 makes flush(cb) wait for the writes in flight
   * (with 0, SonicBoom calls back at once) while every line is still written as soon as it comes.
   */
  private open(): Destination {
    const fd = openSync(this.path(this.number), 'a');
    const dest = pino.destination({ dest: fd, sync: false, minLength: 1 });
    dest.on('error', (err: Error) => this.opts.onError?.(err));
    return dest;
  }

  private path(n: number): string {
    return join(this.opts.dir, `${this.opts.base}.${n}.log`);
  }

  private numbers(): number[] {
    return readdirSync(this.opts.dir).flatMap((f) => {
      const m = this.pattern.exec(f);
      return m ? [Number(m[1])] : [];
    });
  }

  private roll(): void {
    const ended = end(this.dest);
    this.ending.add(ended);
    void ended.then(() => this.ending.delete(ended));
    this.number += 1;
    this.bytes = 0;
    this.dest = this.open();
    const keep = Math.max(2, this.opts.files);
    for (const n of this.numbers()) {
      if (n <= this.number - keep) unlink(this.path(n), (err) => err && err.code !== 'ENOENT' && this.opts.onError?.(err));
    }
  }
}

/** Ends a destination after its buffered lines are written; resolves when its file is closed. */
function end(dest: Destination): Promise<void> {
  return new Promise<void>((resolve) => {
    dest.once('close', () => resolve());
    dest.once('error', () => resolve());
    dest.end();
  });
}
