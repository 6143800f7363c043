/** Streaming reads of JSONL files: parsed lines with their numbers, and raw line counts. */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export interface JsonlLine {
  /** 1-based line number in the file. */
  line: number;
  value?: unknown;
  error?: string;
}

/** Streams a JSONL file line by line (blank lines skipped). A missing file yields nothing. */
export async function* readJsonl(file: string): AsyncGenerator<JsonlLine> {
  try {
    await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      try {
        yield { line, value: JSON.parse(text) as unknown };
      } catch (err) {
        yield { line, error: err instanceof Error ? err.message : String(err) };
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * Number of non-blank lines, counted on raw bytes (no parsing), for manifest checks at every start: newlines are
 * found with Buffer.indexOf (memchr) and only a line's leading whitespace is looked at, so a 25 MB file takes a few
 * milliseconds instead of a JavaScript loop over every byte (one reused 1 MiB buffer).
 */
export async function countLines(file: string): Promise<number> {
  let count = 0;
  let lineHasContent = false;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      let pos = 0;
      while (pos < bytesRead) {
        const nl = chunk.indexOf(0x0a, pos);
        const end = nl === -1 || nl >= bytesRead ? bytesRead : nl;
        for (let i = pos; !lineHasContent && i < end; i++) {
          const byte = chunk[i];
          if (byte !== 0x20 && byte !== 0x0d && byte !== 0x09) lineHasContent = true;
        }
        if (end === bytesRead) break;
        if (lineHasContent) count += 1;
        lineHasContent = false;
        pos = nl + 1;
      }
    }
  } finally {
    await handle.close();
  }
  return lineHasContent ? count + 1 : count;
}
