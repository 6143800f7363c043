import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The privacy key: 32 random bytes made once and kept in the state folder (`state/privacy.key`,
 * mode 0600), never in datasets or archives. User IDs are only ever stored as keyed hashes of it,
 * so an audit log or contribution index that leaks cannot be matched against Discord IDs.
 */
export async function loadOrCreateSecret(file: string): Promise<Buffer> {
  const existing = await readFile(file).catch(() => null);
  if (existing && existing.length >= 32) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, key, { mode: 0o600, flag: existing ? 'w' : 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return (await readFile(file)).subarray(0, 32);
}

export type KeyedHash = (...parts: string[]) => string;

/** HMAC-SHA256 over the parts (NUL-separated), 24 hex characters: stable per key, useless without it. */
export function keyedHasher(secret: Buffer): KeyedHash {
  return (...parts) => createHmac('sha256', secret).update(parts.join('\u0000')).digest('hex').slice(0, 24);
}
