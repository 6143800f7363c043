/**
 * The `!train` ingest engine: bytes → strict UTF-8 text → format detection → streaming parser →
 * validation (OpenAI's checks on the raw example, then sanitizing and the one dataset validator,
 * `prepare`) → batches of accepted records, as they will be stored, for the caller.
 *
 * Size limit: a declared size over maxBytes is refused before reading anything. While streaming,
 * passing maxBytes aborts at once with `tooLarge`: no further batch is delivered (the pending one
 * is dropped), but batches already handed to `onRecords` stay with the caller (`accepted` counts
 * them). Invalid UTF-8 / binary data found mid-stream stops the same way. An error thrown by
 * `onRecords` rejects the returned promise.
 */
import { InvalidRecordError, sanitizeChatRecord } from '../../datasets/records.js';
import type { ChatRecord } from '../../datasets/types.js';
import { detectFormat } from './detect.js';
import { parseJsonArray } from './parse-json-array.js';
import { parseJsonl } from './parse-jsonl.js';
import { createCsvParser } from './parse-csv.js';
import { parseText } from './parse-text.js';
import { decodeUtf8, guardBytes, peekHead, tooLargeError, type ByteSource } from './source.js';
import {
  BATCH_SIZE,
  DEFAULT_MAX_BYTES,
  DEFAULT_TOKEN_LIMIT,
  IngestAbort,
  MAX_REPORTED_ERRORS,
  type IngestError,
  type IngestFormat,
  type IngestOptions,
  type IngestReport,
  type ParsedItem,
  type Parser,
} from './types.js';
import { validateRecord } from './validate.js';

const HEAD_CHARS = 4096;

function parserFor(format: IngestFormat, head: string): Parser {
  if (format === 'jsonl') return parseJsonl;
  if (format === 'json-array') return parseJsonArray;
  if (format === 'csv') return createCsvParser(head.replace(/^\s*\n/, '').split('\n', 1)[0] ?? '');
  return parseText;
}

function addError(report: IngestReport, error: IngestError): void {
  if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(error);
}

/** Validates items and hands accepted records over in batches of BATCH_SIZE. */
class RecordSink {
  private batch: ChatRecord[] = [];
  constructor(
    private readonly report: IngestReport,
    private readonly onRecords: (batch: ChatRecord[]) => Promise<void>,
    private readonly tokenLimit: number,
    private readonly prepare: (record: ChatRecord) => ChatRecord,
  ) {}

  async add(item: ParsedItem): Promise<void> {
    if ('error' in item) return this.reject([item.error]);
    const { record, errors } = validateRecord(item.value, item.line, this.tokenLimit);
    if (!record) return this.reject(errors);
    let clean: ChatRecord;
    try {
      clean = this.prepare(record);
    } catch (err) {
      if (!(err instanceof InvalidRecordError)) throw err;
      const problems = err.problems.length > 0 ? err.problems : [{ code: 'invalid_record', message: err.detail }];
      return this.reject(problems.map((p) => ({ line: item.line, ...p })));
    }
    this.batch.push(clean);
    if (this.batch.length >= BATCH_SIZE) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    await this.onRecords(batch);
    this.report.accepted += batch.length;
  }

  private reject(errors: IngestError[]): void {
    this.report.rejected++;
    for (const error of errors) addError(this.report, error);
  }
}

async function run(source: ByteSource, opts: IngestOptions, report: IngestReport, counter: { bytes: number }): Promise<void> {
  const text = decodeUtf8(guardBytes(source, opts.maxBytes ?? DEFAULT_MAX_BYTES, counter));
  const { head, rest } = await peekHead(text, HEAD_CHARS);
  report.format = detectFormat(opts.name, head);
  const prepare = opts.prepare ?? ((r: ChatRecord) => sanitizeChatRecord(r));
  const sink = new RecordSink(report, opts.onRecords, opts.tokenLimit ?? DEFAULT_TOKEN_LIMIT, prepare);
  for await (const items of parserFor(report.format, head)(rest)) {
    for (const item of items) await sink.add(item);
  }
  await sink.flush();
  if (report.accepted + report.rejected > 0) return;
  const empty = head.trim() === '';
  addError(report, {
    line: 0,
    code: empty ? 'empty' : 'no_examples',
    message: empty ? 'there is nothing to read (the input is empty)' : 'no examples found',
  });
}

function destroy(source: ByteSource): void {
  const maybe = source as { destroy?: unknown };
  if (typeof maybe.destroy === 'function') (maybe.destroy as () => void).call(source);
}

/** Ingests one upload (a Discord attachment download, a file stream, or chunks of a string). */
export async function ingest(source: ByteSource, opts: IngestOptions): Promise<IngestReport> {
  const started = performance.now();
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const report: IngestReport = { format: detectFormat(opts.name, ''), accepted: 0, rejected: 0, errors: [], bytes: 0, ms: 0 };
  const counter = { bytes: 0 };
  if (opts.size != null && opts.size > maxBytes) {
    destroy(source);
    report.tooLarge = true;
    report.aborted = true;
    report.errors.push(tooLargeError(maxBytes));
  } else {
    try {
      await run(source, opts, report, counter);
    } catch (err) {
      if (!(err instanceof IngestAbort)) throw err;
      report.errors = [err.error, ...report.errors].slice(0, MAX_REPORTED_ERRORS);
      report.aborted = true;
      if (err.tooLarge) report.tooLarge = true;
    }
  }
  report.bytes = counter.bytes;
  report.ms = performance.now() - started;
  return report;
}

/** Ingests inline `!train` text (format detected from content unless a name is given). */
export function ingestText(text: string, opts: Omit<IngestOptions, 'name' | 'size'> & { name?: string | null }): Promise<IngestReport> {
  return ingest([Buffer.from(text, 'utf8')], { ...opts, name: opts.name ?? null });
}
