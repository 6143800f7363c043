/**
 * Byte-exact line reading of an append-only JSONL file: from a start offset to the last complete
 * line (a line still being written is left for the next call), reporting each line's offset and
 * length so that a record can be read back alone later (readLineAt).
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1 << 20;

export interface LineRef {
  offset: number;
  length: number;
}

/**
 * Calls `onLine` for every complete line from `from` (through an open handle, up to `size` bytes
 * expected: only a buffer that large is allocated); returns the offset after the last complete line.
 */
export async function readLinesFrom(
  fh: FileHandle,
  from: number,
  size: number,
  onLine: (line: string, ref: LineRef) => void,
): Promise<number> {
  {
    let pos = from;
    let carry: Buffer = Buffer.alloc(0);
    let carryAt = from;
    const chunk = Math.max(4096, Math.min(CHUNK, size - from));
    const buf = Buffer.allocUnsafe(chunk);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunk, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const data: Buffer = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        if (nl > start) onLine(data.toString('utf8', start, nl), { offset: carryAt + start, length: nl - start });
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
      carryAt += start;
    }
    return carryAt;
  }
}

/** The line at `ref` (utf8), read with one positioned read. */
export async function readLineAt(fh: FileHandle, ref: LineRef): Promise<string> {
  const buf = Buffer.allocUnsafe(ref.length);
  const { bytesRead } = await fh.read(buf, 0, ref.length, ref.offset);
  return buf.toString('utf8', 0, bytesRead);
}
