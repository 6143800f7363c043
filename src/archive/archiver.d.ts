/** Minimal typings for archiver 8 (ESM, ships no types); only what src/archive uses. */
declare module 'archiver' {
  import type { Stats } from 'node:fs';
  import { Transform } from 'node:stream';
  import type { ZlibOptions } from 'node:zlib';

  export interface EntryData {
    /** Entry name inside the archive; a trailing '/' makes a directory entry. */
    name: string;
    type?: 'file' | 'directory' | 'symlink';
    date?: Date | string;
    mode?: number;
    prefix?: string;
    /** lstat result of the source, saves archiver one lstat. */
    stats?: Stats;
    store?: boolean;
  }

  export interface ZipOptions {
    comment?: string;
    forceLocalTime?: boolean;
    forceZip64?: boolean;
    store?: boolean;
    zlib?: ZlibOptions;
    statConcurrency?: number;
    highWaterMark?: number;
  }

  export class Archiver extends Transform {
    append(source: NodeJS.ReadableStream | Buffer | string, data: EntryData): this;
    /** Adds a file read lazily from disk when its turn comes. */
    file(filepath: string, data: EntryData): this;
    /** Resolves when the archive data has been fully emitted. */
    finalize(): Promise<void>;
    abort(): this;
    /** Bytes emitted so far. */
    pointer(): number;
  }

  export class ZipArchive extends Archiver {
    constructor(options?: ZipOptions);
  }
}
