/**
 * The one error type of the fine-tuning port. It is a UserError (the router replies with its message) that also
 * says whether trying again can help: network trouble, 429 and 5xx can; a refused file, an unknown model or a
 * bad key cannot.
 */
import { UserError } from '../core/errors.js';

export type FineTuneErrorKind = 'rejected' | 'not_found' | 'auth' | 'unavailable' | 'model' | 'config' | 'trainer';

export class FineTuneError extends UserError {
  constructor(
    readonly kind: FineTuneErrorKind,
    message: string,
    /** True when the same call may succeed later (transport trouble, rate limits, server errors). */
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(`FineTune${kind[0]!.toUpperCase()}${kind.slice(1).replace(/_(.)/g, (_, c: string) => c.toUpperCase())}`, message);
  }
}

export function isFineTuneError(err: unknown): err is FineTuneError {
  return err instanceof FineTuneError;
}

/** The same mapping for every HTTP backend: status code → kind and retryability. */
export function fromHttpStatus(status: number, message: string, service: string): FineTuneError {
  if (status === 404) return new FineTuneError('not_found', `Not found: ${message}`, false, status);
  if (status === 401 || status === 403)
    return new FineTuneError('auth', `${service} refused the API key (${status}): ${message}`, false, status);
  if (status === 408 || status === 429 || status >= 500) {
    return new FineTuneError(
      'unavailable',
      `${service} is not available right now (${status}): ${message}. Try again later.`,
      true,
      status,
    );
  }
  return new FineTuneError('rejected', `${service} refused: ${message}`, false, status);
}

/** For network-level failures (no HTTP answer). */
export function unreachable(service: string, err: unknown): FineTuneError {
  const why = err instanceof Error ? err.message : String(err);
  return new FineTuneError('unavailable', `${service} could not be reached (${why}). Try again later.`, true);
}
