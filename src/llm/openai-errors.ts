/** Maps anything the openai SDK (or fetch) throws onto LlmError. */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { LlmError } from './port.js';
import { redact } from './redact.js';

export { redact } from './redact.js';

function isAbort(err: unknown): boolean {
  return err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError');
}

/** `signal` is the caller's signal: when it fired, the failure counts as 'aborted' whatever the SDK said. */
export function toLlmError(err: unknown, signal: AbortSignal | undefined, secret?: string): LlmError {
  if (err instanceof LlmError) return err;
  const detail = redact(err instanceof Error ? err.message : String(err), secret);
  if (signal?.aborted || isAbort(err)) return new LlmError('aborted', 'LLM request aborted');
  if (err instanceof APIConnectionTimeoutError) return new LlmError('timeout', `LLM request timed out: ${detail}`);
  if (err instanceof APIConnectionError) return new LlmError('network', `cannot reach the LLM server: ${causeOf(err, detail)}`);
  if (err instanceof APIError) {
    if (typeof err.status === 'number') {
      return new LlmError(
        'http',
        `LLM server answered HTTP ${err.status}: ${detail}`,
        err.status,
        typeof err.code === 'string' ? err.code : undefined,
      );
    }
    return new LlmError('http', `LLM server reported an error: ${detail}`);
  }
  return new LlmError('network', `LLM transport failed: ${detail}`);
}

function causeOf(err: Error, detail: string): string {
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && !detail.includes(cause) ? `${detail} (${cause})` : detail;
}
