/**
 * The index of one positive.jsonl: a BM25 index of each record's prompt plus where the record sits
 * in the file. `sync()` stats the file and reads only what was appended since the last call (the
 * bytes before the old end must be unchanged, checked by a short fingerprint); a truncated,
 * replaced or rewritten file is indexed again from the start.
 */
import { statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Bm25Index, type Hit } from './bm25.js';
import { readLineAt, readLinesFrom, type LineRef } from './jsonl-reader.js';
import { parseMemoryRecord, type MemoryRecord } from './record.js';
import { terms } from './text.js';

const FINGERPRINT = 64;

/** The file's stat, or null when it cannot be stat'ed (missing, or any other error, as before). */
function statOrNull(file: string): Stats | null {
  try {
    return statSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
/** Records kept after being read back (see record()). */
const RECORD_CACHE = 256;

export interface NewRecord {
  id: number;
  prompt: string;
}

export class DatasetIndex {
  lexical = new Bm25Index();
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private end = 0;
  private ino = -1;
  private mtimeMs = -1;
  private fingerprint: Buffer = Buffer.alloc(0);
  private fh: FileHandle | null = null;
  /** Times the file was indexed from the start (1 after the first build). */
  builds = 0;
  /** Records read back lately, least recently used first (ids are stable until the index is rebuilt). */
  private readonly recent = new Map<number, MemoryRecord>();
  /** Bumped by every reset: a record read across a reset is not cached. */
  private epoch = 0;

  constructor(readonly file: string) {}

  get size(): number {
    return this.lexical.size;
  }

  /**
   * Brings the index up to date with the file. `onNew` gets each record added by this call
   * (`reset` true when the index was rebuilt from the start, so earlier ids are gone).
   */
  async sync(onNew?: (records: NewRecord[], reset: boolean) => void): Promise<void> {
    // A synchronous stat (a few µs on a local file) rather than fs/promises' (~50 µs of CPU in thread-pool and
    // promise hand-offs): sync() runs before every search, i.e. once per reply (bench/profile.ts replies).
    const st = statOrNull(this.file);
    if (!st) {
      if (this.end > 0 || this.size > 0) this.reset();
      await this.close();
      return;
    }
    if (st.ino === this.ino && st.size === this.end && st.mtimeMs === this.mtimeMs) return;
    if (st.ino !== this.ino) await this.close();
    const fh = await this.handle();
    const added: NewRecord[] = [];
    const onLine = (line: string, ref: LineRef) => {
      const rec = parseMemoryRecord(line);
      if (!rec) return;
      const id = this.lexical.add(terms(rec.prompt));
      this.place(id, ref.offset, ref.length);
      added.push({ id, prompt: rec.prompt });
    };
    const appended = st.ino === this.ino && st.size > this.end ? await this.readAppended(fh, st.size, onLine) : false;
    let reset = false;
    if (!appended) {
      this.reset();
      reset = true;
      this.builds++;
      this.end = await readLinesFrom(fh, 0, st.size, onLine);
      this.fingerprint = await this.tail(fh, this.end);
    }
    this.ino = st.ino;
    this.mtimeMs = st.mtimeMs;
    if (added.length > 0 || reset) onNew?.(added, reset);
  }

  /**
   * Reads what was appended after `end` with one positioned read that starts at the fingerprint, so
   * checking that the indexed bytes are unchanged costs nothing more. False when they changed.
   */
  private async readAppended(fh: FileHandle, size: number, onLine: (line: string, ref: LineRef) => void): Promise<boolean> {
    const from = this.end - this.fingerprint.length;
    const buf = Buffer.allocUnsafe(size - from);
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    const data = buf.subarray(0, bytesRead);
    if (!data.subarray(0, this.fingerprint.length).equals(this.fingerprint)) return false;
    let start = this.fingerprint.length;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      if (nl > start) onLine(data.toString('utf8', start, nl), { offset: from + start, length: nl - start });
      start = nl + 1;
    }
    this.end = from + start;
    this.fingerprint = Buffer.from(data.subarray(Math.max(0, start - FINGERPRINT), start));
    return true;
  }

  searchLexical(query: string, k: number): Hit[] {
    return this.lexical.search(terms(query), k);
  }

  /**
   * The record of document `id`, read back from the file (null if the file changed under us). The last
   * RECORD_CACHE records read are kept (prompt and answer only): the same few examples come back for many replies,
   * and a stored line holds the whole context, often kilobytes of JSON to read and parse for two short texts.
   */
  async record(id: number): Promise<MemoryRecord | null> {
    if (id < 0 || id >= this.size) return null;
    const cached = this.recent.get(id);
    if (cached) {
      this.recent.delete(id);
      this.recent.set(id, cached);
      return cached;
    }
    const epoch = this.epoch;
    const line = await readLineAt(await this.handle(), { offset: this.offsets[id]!, length: this.lengths[id]! });
    const rec = parseMemoryRecord(line);
    if (rec && epoch === this.epoch) {
      this.recent.set(id, rec);
      if (this.recent.size > RECORD_CACHE) this.recent.delete(this.recent.keys().next().value as number);
    }
    return rec;
  }

  /** One read handle, kept while the file is the same (reopened when it is replaced). */
  private async handle(): Promise<FileHandle> {
    this.fh ??= await open(this.file, 'r');
    return this.fh;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close().catch(() => undefined);
  }

  private place(id: number, offset: number, length: number): void {
    if (id >= this.offsets.length) {
      const o = new Float64Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
      const l = new Uint32Array(this.lengths.length * 2);
      l.set(this.lengths);
      this.lengths = l;
    }
    this.offsets[id] = offset;
    this.lengths[id] = length;
  }

  private reset(): void {
    this.lexical = new Bm25Index();
    this.recent.clear();
    this.epoch++;
    this.end = 0;
    this.ino = -1;
    this.mtimeMs = -1;
    this.fingerprint = Buffer.alloc(0);
  }

  /** The (up to) 64 bytes before `end`. */
  private async tail(fh: FileHandle, end: number): Promise<Buffer> {
    const len = Math.min(FINGERPRINT, end);
    if (len === 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, end - len);
    return buf.subarray(0, bytesRead);
  }
}
