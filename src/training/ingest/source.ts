/**
 * Byte and text plumbing for the ingest pipeline: a size guard, a strict streaming UTF-8 decoder
 * that refuses binary data, a head peek for format detection and a line splitter. Nothing here
 * holds more than one chunk (plus one unfinished line) at a time.
 */
import { IngestAbort, type IngestError } from './types.js';

export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ByteCounter {
  bytes: number;
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

export function tooLargeError(maxBytes: number): IngestError {
  return { line: 0, code: 'too_large', message: `the file is larger than ${mib(maxBytes)}` };
}

/** Yields the source's chunks as Buffers, counting bytes; throws IngestAbort past maxBytes. */
export async function* guardBytes(source: ByteSource, maxBytes: number, counter: ByteCounter): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buf = toBuffer(chunk);
    counter.bytes += buf.length;
    if (counter.bytes > maxBytes) throw new IngestAbort(tooLargeError(maxBytes), true);
    yield buf;
  }
}

function isUtf16Bom(buf: Buffer): boolean {
  return buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff));
}

function checkBinary(buf: Buffer, first: boolean): void {
  if (first && isUtf16Bom(buf)) {
    throw new IngestAbort({ line: 0, code: 'binary', message: 'the file is UTF-16 text; save it as UTF-8' });
  }
  if (buf.indexOf(0) !== -1) {
    const message = 'the file looks binary (an image, archive or document?), not UTF-8 text';
    throw new IngestAbort({ line: 0, code: 'binary', message });
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function invalidUtf8Error(buf: Buffer, linesBefore: number): IngestError {
  const lossy = new TextDecoder('utf-8').decode(buf);
  const bad = lossy.indexOf('\uFFFD');
  const line = linesBefore + 1 + countNewlines(bad < 0 ? lossy : lossy.slice(0, bad));
  return { line, code: 'invalid_utf8', message: 'the file is not valid UTF-8 text' };
}

/**
 * Decodes UTF-8 strictly (a BOM is dropped). A NUL byte or UTF-16 BOM aborts with `binary`, a
 * malformed sequence with `invalid_utf8` (line of the first bad byte, counted across chunks).
 */
export async function* decodeUtf8(buffers: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lines = 0;
  let first = true;
  for await (const buf of buffers) {
    if (buf.length === 0) continue;
    checkBinary(buf, first);
    first = false;
    let text: string;
    try {
      text = decoder.decode(buf, { stream: true });
    } catch {
      throw new IngestAbort(invalidUtf8Error(buf, lines));
    }
    lines += countNewlines(text);
    if (text) yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw new IngestAbort({ line: lines + 1, code: 'invalid_utf8', message: 'the file ends in the middle of a UTF-8 character' });
  }
  if (tail) yield tail;
}

/** Reads chunks until at least `minChars` characters (or the end); returns them and the rest of the stream. */
export async function peekHead(chunks: AsyncIterable<string>, minChars: number): Promise<{ head: string; rest: AsyncIterable<string> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const taken: string[] = [];
  let size = 0;
  let done = false;
  while (size < minChars) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    size += next.value.length;
  }
  async function* rest(): AsyncGenerator<string> {
    let finished = done;
    try {
      yield* taken;
      while (!finished) {
        const next = await iterator.next();
        if (next.done) finished = true;
        else yield next.value;
      }
    } finally {
      if (!finished) await iterator.return?.();
    }
  }
  return { head: taken.join(''), rest: rest() };
}

export interface Line {
  text: string;
  /** 1-based. */
  line: number;
}

/** Splits text chunks into lines (`\n` or `\r\n`), yielding the complete lines of each chunk together. */
export async function* lineBatches(chunks: AsyncIterable<string>): AsyncGenerator<Line[]> {
  let partial = '';
  let lineNo = 0;
  for await (const chunk of chunks) {
    const batch: Line[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const text = partial + chunk.slice(start, nl);
      partial = '';
      batch.push({ text: text.endsWith('\r') ? text.slice(0, -1) : text, line: ++lineNo });
      start = nl + 1;
    }
    partial += chunk.slice(start);
    if (batch.length > 0) yield batch;
  }
  if (partial !== '') yield [{ text: partial.endsWith('\r') ? partial.slice(0, -1) : partial, line: ++lineNo }];
}
