import { Readable } from 'node:stream';
import type { ChatRecord } from '../../../src/datasets/types.js';
import { ingest, ingestText, type IngestOptions, type IngestReport } from '../../../src/training/ingest/index.js';

export interface Run {
  report: IngestReport;
  records: ChatRecord[];
  batches: number[];
}

/** Splits a string/buffer into chunks of `size` bytes (to cross multibyte and element boundaries). */
export function chunked(data: string | Buffer, size: number): Readable {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

type Extra = Partial<Omit<IngestOptions, 'onRecords'>>;

export async function run(data: string | Buffer | Readable, name: string | null, extra: Extra = {}): Promise<Run> {
  const records: ChatRecord[] = [];
  const batches: number[] = [];
  const source = data instanceof Readable ? data : Readable.from([typeof data === 'string' ? Buffer.from(data) : data]);
  const report = await ingest(source, {
    name,
    ...extra,
    onRecords: async (batch) => {
      batches.push(batch.length);
      records.push(...batch);
    },
  });
  return { report, records, batches };
}

export async function runText(text: string, extra: Extra = {}): Promise<Run> {
  const records: ChatRecord[] = [];
  const batches: number[] = [];
  const report = await ingestText(text, {
    ...extra,
    onRecords: async (batch) => {
      batches.push(batch.length);
      records.push(...batch);
    },
  });
  return { report, records, batches };
}

export const codes = (r: Run) => r.report.errors.map((e) => `${e.line}:${e.code}`);

export function chatLine(user: string, assistant: string): string {
  return JSON.stringify({
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
  });
}
