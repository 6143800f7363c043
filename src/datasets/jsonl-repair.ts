/**
 * Torn-tail repair for JSONL files: a last line without its '\n' (or a complete last line that is
 * not valid JSON) is cut off; the cut bytes are kept in `<file>.torn-<ISO time>` (':' written as '-'
 * so the name is valid everywhere) so nothing is silently lost.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface RepairOptions {
  now?: () => Date;
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/** Index just after the last '\n' strictly before `end`, or 0 when there is none. */
async function lineStartBefore(handle: FileHandle, end: number): Promise<number> {
  let pos = end;
  const buf = Buffer.alloc(CHUNK);
  while (pos > 0) {
    const from = Math.max(0, pos - CHUNK);
    const { bytesRead } = await handle.read(buf, 0, pos - from, from);
    const index = buf.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (index >= 0) return from + index + 1;
    pos = from;
  }
  return 0;
}

async function readRange(handle: FileHandle, from: number, to: number): Promise<Buffer> {
  const buf = Buffer.alloc(to - from);
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await handle.read(buf, done, buf.length - done, from + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Where the damaged tail starts, or -1 when the file ends cleanly. */
async function tornStart(handle: FileHandle, size: number): Promise<number> {
  const last = await readRange(handle, size - 1, size);
  if (last[0] !== NEWLINE) return lineStartBefore(handle, size);
  const start = await lineStartBefore(handle, size - 1);
  const text = (await readRange(handle, start, size - 1)).toString('utf8');
  if (text.trim() === '' || isValidJson(text)) return -1;
  return start;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/:/g, '-');
}

/** Saves the cut bytes next to the file under a name that does not exist yet. */
async function keepAside(file: string, bytes: Buffer, date: Date): Promise<void> {
  const base = `${file}.torn-${stamp(date)}`;
  for (let n = 0; ; n += 1) {
    const name = n === 0 ? base : `${base}-${n}`;
    let aside: FileHandle;
    try {
      aside = await open(name, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && n < 1000) continue;
      throw err;
    }
    try {
      await aside.writeFile(bytes);
      await aside.datasync();
    } finally {
      await aside.close();
    }
    return;
  }
}

/**
 * Cuts a torn last line off `file` and returns the number of bytes removed (0 when the file is
 * fine or missing). The cut bytes are written aside before the file is truncated.
 */
export async function repairTornTail(file: string, opts: RepairOptions = {}): Promise<number> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return 0;
    const start = await tornStart(handle, size);
    if (start < 0) return 0;
    const cut = await readRange(handle, start, size);
    await keepAside(file, cut, (opts.now ?? (() => new Date()))());
    await handle.truncate(start);
    await handle.datasync();
    return size - start;
  } finally {
    await handle.close();
  }
}
