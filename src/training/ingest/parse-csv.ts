/**
 * CSV with a header row: prompt/completion columns (case-insensitive; also input/output or
 * question/answer) and an optional system column, each row becoming system?/user/assistant
 * messages. Streams through csv-parse; quoted fields may span lines. Delimiter: `,`, `;` or tab,
 * guessed from the header. CRLF line ends become LF (also inside quoted fields).
 */
import type { CsvError, InfoRecord, Parser } from 'csv-parse';
import { COMPLETION_COLUMNS, csvDelimiter, PROMPT_COLUMNS } from './detect.js';
import { isRecordObject, type ParsedItem } from './types.js';

interface Columns {
  prompt: number;
  completion: number;
  system: number;
}

function findColumns(header: string[]): Columns | null {
  const cells = header.map((h) => h.trim().toLowerCase());
  const find = (names: readonly string[]) => cells.findIndex((c) => names.includes(c));
  const prompt = find(PROMPT_COLUMNS);
  const completion = find(COMPLETION_COLUMNS);
  if (prompt < 0 || completion < 0) return null;
  return { prompt, completion, system: cells.indexOf('system') };
}

/** First line of a record: csv-parse reports the line where it ended; `raw` holds its text. */
function startLine(info: InfoRecord): number {
  const raw = (info.raw ?? '').replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '');
  let inner = 0;
  for (let i = raw.indexOf('\n'); i !== -1; i = raw.indexOf('\n', i + 1)) inner++;
  return info.lines - inner;
}

/** With `raw: true`, csv-parse hands on_record `{ record, raw }` instead of the row itself. */
function unwrapRow(rec: unknown): string[] {
  const row = isRecordObject(rec) ? rec.record : rec;
  return Array.isArray(row) ? row.map((cell) => String(cell)) : [];
}

function rowToRecord(row: string[], cols: Columns): unknown {
  const cell = (i: number) => (i >= 0 ? (row[i] ?? '').trim() : '');
  const messages: { role: string; content: string }[] = [];
  if (cell(cols.system)) messages.push({ role: 'system', content: cell(cols.system) });
  messages.push({ role: 'user', content: cell(cols.prompt) }, { role: 'assistant', content: cell(cols.completion) });
  return { messages };
}

/** Turns csv-parse rows into items; the first row is the header. */
class RowMapper {
  private cols: Columns | null | undefined;
  readonly items: ParsedItem[] = [];

  add(row: string[], line: number): void {
    if (this.cols === undefined) {
      this.cols = findColumns(row);
      if (this.cols === null) {
        const message = `CSV needs prompt and completion columns (or input/output, question/answer); found: ${row.join(', ').slice(0, 120)}`;
        this.items.push({ line, error: { line, code: 'csv_missing_columns', message } });
      }
      return;
    }
    if (this.cols === null) return;
    this.items.push({ line, value: rowToRecord(row, this.cols) });
  }

  skipped(err: CsvError | undefined): void {
    const line = typeof err?.lines === 'number' ? err.lines : 0;
    this.items.push({ line, error: { line, code: 'invalid_csv', message: err?.message ?? 'malformed CSV row' } });
  }

  take(): ParsedItem[] {
    return this.items.splice(0, this.items.length);
  }
}

function fatal(err: unknown): ParsedItem {
  const csv = err as Partial<CsvError>;
  const line = typeof csv.lines === 'number' ? csv.lines : 0;
  const message = err instanceof Error ? err.message : 'malformed CSV';
  return { line, error: { line, code: 'invalid_csv', message } };
}

/** CRLF → LF (csv-parse miscounts lines for CRLF inside quoted fields); a CR split from its LF is carried over. */
async function* lfOnly(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    let text = carry + chunk;
    carry = text.endsWith('\r') ? '\r' : '';
    if (carry) text = text.slice(0, -1);
    yield text.replace(/\r\n/g, '\n');
  }
  if (carry) yield carry;
}

/** csv-parse is imported with the first CSV file, not when Eos starts. */
async function csvStream(headerLine: string, mapper: RowMapper): Promise<Parser> {
  const { parse } = await import('csv-parse');
  return parse({
    delimiter: csvDelimiter(headerLine),
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    raw: true,
    on_record: (rec: unknown, info: InfoRecord) => {
      mapper.add(unwrapRow(rec), startLine(info));
      return null; // rows are collected by the mapper, nothing is pushed downstream
    },
    on_skip: (err) => {
      mapper.skipped(err);
      return undefined;
    },
  });
}

/** Resolves when a write/end callback fires; returns its error, if any. */
function settle(act: (done: (err?: Error | null) => void) => void): Promise<Error | undefined> {
  return new Promise((resolve) => act((err) => resolve(err ?? undefined)));
}

export function createCsvParser(headerLine: string) {
  return async function* parseCsv(chunks: AsyncIterable<string>): AsyncGenerator<ParsedItem[]> {
    const mapper = new RowMapper();
    const parser = await csvStream(headerLine, mapper);
    let failure: unknown;
    parser.on('error', (err) => (failure ??= err));
    parser.resume();
    for await (const chunk of lfOnly(chunks)) {
      const err = await settle((done) => parser.write(chunk, done));
      failure ??= err;
      yield mapper.take();
      if (failure !== undefined) break;
    }
    if (failure === undefined) {
      const err = await settle((done) => parser.end(done));
      failure ??= err;
    }
    const tail = mapper.take();
    if (failure !== undefined) tail.push(fatal(failure));
    yield tail;
  };
}
