/**
 * An error meant for the user: the router turns it into a short reply and logs it at debug level.
 * `identifier` is stable (for tests and logs), `message` is what the user reads.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly identifier: string,
    message: string,
  ) {
    super(message);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
