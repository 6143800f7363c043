/** Shared types of the `!train` ingest engine (parse → validate → batches). */
import type { ChatRecord } from '../../datasets/types.js';

export type IngestFormat = 'jsonl' | 'json-array' | 'csv' | 'text';

/** One problem found while ingesting. `line` is 1-based; 0 means "the whole file". */
export interface IngestError {
  line: number;
  code: string;
  message: string;
}

export interface IngestReport {
  format: IngestFormat;
  /** Records handed to `onRecords`. */
  accepted: number;
  /** Records (lines, rows, conversations, array elements) refused by parsing or validation. */
  rejected: number;
  /** The first MAX_REPORTED_ERRORS errors, in file order. */
  errors: IngestError[];
  /** Bytes read from the source (stops growing once the size limit is hit). */
  bytes: number;
  ms: number;
  /** Set when the declared size or the streamed bytes went over `maxBytes`. */
  tooLarge?: boolean;
  /** Set when reading stopped early (too large, binary, invalid UTF-8): the input is incomplete. */
  aborted?: boolean;
}

export interface IngestOptions {
  /** Attachment file name (for the extension), or null for inline text. */
  name: string | null;
  /** Declared size in bytes (e.g. Discord's attachment.size): refused before reading when over maxBytes. */
  size?: number | null;
  /** Default DEFAULT_MAX_BYTES (10 MiB, Discord's per-attachment limit for bots without boosts). */
  maxBytes?: number;
  /** Tokens per example; default DEFAULT_TOKEN_LIMIT. */
  tokenLimit?: number;
  /**
   * Sanitizes and validates a record as the dataset will store it (DatasetStore.prepare); throws
   * InvalidRecordError to reject it. Default: sanitizeChatRecord with the default privacy options.
   */
  prepare?: (record: ChatRecord) => ChatRecord;
  /** Receives accepted records in file order, in batches of at most BATCH_SIZE. Awaited before reading on. */
  onRecords: (batch: ChatRecord[]) => Promise<void>;
}

/** What a parser yields: a candidate record (still unvalidated) or a parse error, with its start line. */
export type ParsedItem = { line: number; value: unknown } | { line: number; error: IngestError };

/** Text chunks in, parsed items out (in batches to keep async overhead low). */
export type Parser = (chunks: AsyncIterable<string>) => AsyncIterable<ParsedItem[]>;

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** Per-example token limit used by OpenAI's chat fine-tuning data-preparation guide. */
export const DEFAULT_TOKEN_LIMIT = 16_385;
export const BATCH_SIZE = 500;
export const MAX_REPORTED_ERRORS = 20;

/** Thrown inside the pipeline to stop the whole ingest (too large, binary, invalid UTF-8). */
export class IngestAbort extends Error {
  override readonly name = 'IngestAbort';
  constructor(
    readonly error: IngestError,
    readonly tooLarge = false,
  ) {
    super(error.message);
  }
}

export function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
