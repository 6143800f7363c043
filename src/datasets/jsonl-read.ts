/** Streaming reads of JSONL files: parsed lines with their numbers, and raw line counts. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
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

/** Number of non-blank lines, counted on raw bytes (no parsing), for manifest rebuilds. */
export async function countLines(file: string): Promise<number> {
  let count = 0;
  let lineHasContent = false;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      for (const byte of chunk) {
        if (byte === 0x0a) {
          if (lineHasContent) count += 1;
          lineHasContent = false;
        } else if (byte !== 0x20 && byte !== 0x0d && byte !== 0x09) lineHasContent = true;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  return lineHasContent ? count + 1 : count;
}
