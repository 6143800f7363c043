/** Maps SDK failures of the files / fine-tuning API: refusals become UserErrors, transport trouble LlmErrors. */
import { APIConnectionError, APIError } from 'openai';
import { UserError } from '../core/errors.js';
import { redact, toLlmError } from '../llm/openai-errors.js';

/** The server's own error message of an APIError (without the SDK's "400 " prefix). */
function serverMessage(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' && body.message !== '' ? body.message : err.message;
}

/** 400/404/409/422 answers are the user's business (bad file, unknown job); the rest is an LlmError. */
export function toFineTuneError(err: unknown, secret: string | undefined): Error {
  if (err instanceof UserError) return err;
  if (err instanceof APIError && typeof err.status === 'number') {
    const message = redact(serverMessage(err), secret);
    if (err.status === 404) return new UserError('FineTuneNotFound', `Not found: ${message}`);
    if ([400, 409, 422].includes(err.status)) return new UserError('FineTuneRejected', `The fine-tuning API refused: ${message}`);
  }
  return toLlmError(err, undefined, secret);
}

/** Worth another try: no connection, 408, 409 (lock), 429 or a 5xx. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof APIConnectionError) return true;
  if (!(err instanceof APIError) || typeof err.status !== 'number') return false;
  return err.status === 408 || err.status === 429 || err.status >= 500;
}
