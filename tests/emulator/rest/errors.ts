/** Discord's REST error bodies: {message, code} (plus `errors` for Invalid Form Body). */

export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }

  get body(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...(this.errors !== undefined ? { errors: this.errors } : {}) };
  }
}

const UNKNOWN: Record<string, number> = {
  Channel: 10003,
  Guild: 10004,
  Member: 10007,
  Message: 10008,
  User: 10013,
  Emoji: 10014,
  Webhook: 10015,
  Interaction: 10062,
  'Application Command': 10063,
};

export function unknown(kind: keyof typeof UNKNOWN): DiscordHttpError {
  return new DiscordHttpError(404, UNKNOWN[kind] ?? 0, `Unknown ${kind}`);
}

/** 400 Invalid Form Body with Discord's nested `errors` object for one field. */
export function invalidForm(field: string, code: string, message: string): DiscordHttpError {
  const errors: Record<string, unknown> = {};
  let cursor = errors;
  const parts = field.split('.');
  parts.forEach((part, i) => {
    const next: Record<string, unknown> = i === parts.length - 1 ? { _errors: [{ code, message }] } : {};
    cursor[part] = next;
    cursor = next;
  });
  return new DiscordHttpError(400, 50035, 'Invalid Form Body', errors);
}

export const errors = {
  unauthorized: () => new DiscordHttpError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordHttpError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new DiscordHttpError(405, 0, '405: Method Not Allowed'),
  emptyMessage: () => new DiscordHttpError(400, 50006, 'Cannot send an empty message'),
  notAuthor: () => new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user'),
  alreadyAcknowledged: () => new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: () => new DiscordHttpError(403, 50001, 'Missing Access'),
};
