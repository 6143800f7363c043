import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const KEY_BYTES = 32;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The privacy key: 32 random bytes made once and kept in the state folder (`state/privacy.key`,
 * mode 0600), never in datasets or archives. User IDs are only ever stored as keyed hashes of it,
 * so an audit log or contribution index that leaks cannot be matched against Discord IDs.
 * Several processes (shards) may start at once: only the one owning DMs (shard 0) creates it (`create`), and only
 * exclusively ('wx'); the others wait up to `waitMs` for it and read it.
 */
export async function loadOrCreateSecret(file: string, opts: { create?: boolean; waitMs?: number } = {}): Promise<Buffer> {
  const create = opts.create ?? true;
  if (create) await mkdir(path.dirname(file), { recursive: true });
  const attempts = Math.max(100, Math.ceil((opts.waitMs ?? 0) / 20));
  for (let attempt = 0; attempt < attempts; attempt++) {
    const existing = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (existing && existing.length >= KEY_BYTES) return existing.subarray(0, KEY_BYTES);
    if (!existing && create) {
      const created = await writeFile(file, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' }).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
          return false;
        },
      );
      if (created) continue;
    }
    await sleep(20);
  }
  if (!create) throw new Error(`${file}: no privacy key yet (the process owning DMs, shard 0, makes it)`);
  throw new Error(`${file} exists but holds no ${KEY_BYTES}-byte key; remove it to make a new one (old hashes will no longer match)`);
}

export type KeyedHash = (...parts: string[]) => string;

/** HMAC-SHA256 over the parts (NUL-separated), 24 hex characters: stable per key, useless without it. */
export function keyedHasher(secret: Buffer): KeyedHash {
  return (...parts) => createHmac('sha256', secret).update(parts.join('\u0000')).digest('hex').slice(0, 24);
}
