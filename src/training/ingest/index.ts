/** Public API of the `!train` ingest engine. */
export { detectFormat } from './detect.js';
export { ingest, ingestText } from './ingest.js';
export { formatReport } from './report.js';
export { exampleTokens, tokensOverLimit } from './tokens.js';
export { validateRecord, type IngestedMessage, type Validation } from './validate.js';
export type { ByteSource } from './source.js';
export {
  BATCH_SIZE,
  DEFAULT_MAX_BYTES,
  DEFAULT_TOKEN_LIMIT,
  MAX_REPORTED_ERRORS,
  type IngestError,
  type IngestFormat,
  type IngestOptions,
  type IngestReport,
} from './types.js';
