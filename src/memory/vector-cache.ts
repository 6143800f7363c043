/**
 * Embedding vectors on disk, one append-only file per dataset and model:
 * "EOSV" + uint32 dimension, then entries of [16-byte key][dimension × float32 LE]. The key is a hash
 * of the model and the embedded text, so a record is embedded once whatever its position, and a
 * restart (or a rebuilt index) costs no API call for texts seen before. A torn last entry is cut off.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const MAGIC = 'EOSV';
const HEADER = 8;
const KEY = 16;

export function vectorKey(model: string, text: string): string {
  return createHash('sha256')
    .update(model)
    .update('\0')
    .update(text)
    .digest('hex')
    .slice(0, KEY * 2);
}

export class VectorCache {
  private readonly vectors = new Map<string, Float32Array>();
  private fh: FileHandle | null = null;
  private dim = 0;

  private constructor(private readonly file: string | null) {}

  /** Loads `file` (created when missing); null keeps vectors in memory only. */
  static async open(file: string | null): Promise<VectorCache> {
    const cache = new VectorCache(file);
    if (file) await cache.load(file);
    return cache;
  }

  get(key: string): Float32Array | undefined {
    return this.vectors.get(key);
  }

  get size(): number {
    return this.vectors.size;
  }

  async put(entries: readonly { key: string; vector: Float32Array }[]): Promise<void> {
    const fresh = entries.filter((e) => !this.vectors.has(e.key));
    for (const e of fresh) this.vectors.set(e.key, e.vector);
    if (!this.fh || fresh.length === 0) return;
    const dim = fresh[0]!.vector.length;
    if (this.dim === 0) {
      const head = Buffer.alloc(HEADER);
      head.write(MAGIC, 0, 'latin1');
      head.writeUInt32LE(dim, 4);
      await this.fh.truncate(0);
      await this.fh.write(head, 0, HEADER, 0);
      this.dim = dim;
    }
    const same = fresh.filter((e) => e.vector.length === this.dim);
    const buf = Buffer.alloc(same.length * (KEY + this.dim * 4));
    same.forEach((e, i) => {
      const at = i * (KEY + this.dim * 4);
      buf.write(e.key, at, 'hex');
      Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength).copy(buf, at + KEY);
    });
    const { size } = await this.fh.stat();
    await this.fh.write(buf, 0, buf.length, size);
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = null;
  }

  private async load(file: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    this.fh = await open(file, 'a+');
    const { size } = await this.fh.stat();
    if (size < HEADER) return;
    const head = Buffer.alloc(HEADER);
    await this.fh.read(head, 0, HEADER, 0);
    if (head.toString('latin1', 0, 4) !== MAGIC) return; // foreign: rewritten at the first put
    this.dim = head.readUInt32LE(4);
    const entry = KEY + this.dim * 4;
    const whole = Math.floor((size - HEADER) / entry);
    if (HEADER + whole * entry !== size) await this.fh.truncate(HEADER + whole * entry);
    const buf = Buffer.alloc(whole * entry);
    await this.fh.read(buf, 0, buf.length, HEADER);
    for (let i = 0; i < whole; i++) {
      const at = i * entry;
      const vector = new Float32Array(this.dim);
      Buffer.from(vector.buffer).set(buf.subarray(at + KEY, at + entry));
      this.vectors.set(buf.toString('hex', at, at + KEY), vector);
    }
  }
}
