/** Removes `secret` from a message, in case a server echoes the key back. (No SDK import: the Together backend uses it too.) */
export function redact(message: string, secret: string | undefined): string {
  if (!secret || secret.length < 6) return message;
  return message.split(secret).join('***');
}
