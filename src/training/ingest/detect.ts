/** Guesses the format of a `!train` upload from its file extension and its first characters. */
import type { IngestFormat } from './types.js';

const PROMPT_COLUMNS = ['prompt', 'input', 'question'] as const;
const COMPLETION_COLUMNS = ['completion', 'output', 'answer'] as const;

function extension(name: string | null): string {
  if (!name) return '';
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The delimiter of a CSV header line: tab or semicolon when they outnumber commas. */
export function csvDelimiter(headerLine: string): ',' | ';' | '\t' {
  const count = (ch: string) => headerLine.split(ch).length - 1;
  const commas = count(',');
  if (count('\t') > commas) return '\t';
  if (count(';') > commas) return ';';
  return ',';
}

/** Header cell names, trimmed, unquoted and lower-cased. */
export function headerCells(headerLine: string): string[] {
  return headerLine.split(csvDelimiter(headerLine)).map((cell) =>
    cell
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim()
      .toLowerCase(),
  );
}

/** True when a header has a prompt-like and a completion-like column. */
export function looksLikeCsvHeader(headerLine: string): boolean {
  const cells = headerCells(headerLine);
  const has = (names: readonly string[]) => names.some((n) => cells.includes(n));
  return cells.length >= 2 && has(PROMPT_COLUMNS) && has(COMPLETION_COLUMNS);
}

function firstLine(head: string): string {
  const text = head.replace(/^\uFEFF/, '').replace(/^\s*\n/, '');
  const end = text.indexOf('\n');
  return (end < 0 ? text : text.slice(0, end)).replace(/\r$/, '');
}

function sniff(head: string): IngestFormat {
  const start = head.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('[')) return 'json-array';
  if (start.startsWith('{')) return 'jsonl';
  if (looksLikeCsvHeader(firstLine(head))) return 'csv';
  return 'text';
}

/**
 * `.jsonl`/`.ndjson` → jsonl, `.csv`/`.tsv` → csv, `.json` → json-array when it starts with `[`
 * (else jsonl). Any other name (or none, e.g. inline text) is decided by content: `[` → json-array,
 * `{` → jsonl, a header with prompt/completion-like columns → csv, anything else → text.
 */
export function detectFormat(name: string | null, head: string): IngestFormat {
  switch (extension(name)) {
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'csv':
    case 'tsv':
      return 'csv';
    case 'json':
      return head
        .replace(/^\uFEFF/, '')
        .trimStart()
        .startsWith('[')
        ? 'json-array'
        : 'jsonl';
    default:
      return sniff(head);
  }
}

export { PROMPT_COLUMNS, COMPLETION_COLUMNS };
