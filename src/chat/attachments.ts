import { Readable } from 'node:stream';
import type { AttachmentRef } from './types.js';
import { UserError } from '../core/errors.js';

/** Discord's per-attachment upload limit for bots without boosts. */
export const ATTACHMENT_LIMIT = 10 * 1024 * 1024;

export interface OpenAttachmentOptions {
  maxBytes?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}

/** Streams an attachment's bytes, refusing it up front when its declared size is over the limit. */
export async function openAttachment(a: AttachmentRef, opts: OpenAttachmentOptions = {}): Promise<Readable> {
  const maxBytes = opts.maxBytes ?? ATTACHMENT_LIMIT;
  if (a.size > maxBytes) {
    const size = formatBytes(a.size) === formatBytes(maxBytes) ? `${a.size} bytes` : formatBytes(a.size);
    throw new UserError('AttachmentTooLarge', `\`${a.name}\` is ${size}, over the ${formatBytes(maxBytes)} limit.`);
  }
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(a.url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
  } catch {
    throw new UserError('AttachmentUnavailable', `I couldn't download \`${a.name}\`. Please try again.`);
  }
  if (!res.ok || !res.body) throw new UserError('AttachmentUnavailable', `I couldn't download \`${a.name}\` (HTTP ${res.status}).`);
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
}

/** Reads a (small) attachment whole, bounded by maxBytes even when its declared size lied. */
export async function readAttachmentBytes(a: AttachmentRef, opts: OpenAttachmentOptions = {}): Promise<Buffer> {
  const maxBytes = opts.maxBytes ?? ATTACHMENT_LIMIT;
  const stream = await openAttachment(a, { ...opts, maxBytes });
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new UserError('AttachmentTooLarge', `\`${a.name}\` is over ${formatBytes(maxBytes)}.`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Reads a (small) attachment as UTF-8 text, bounded by maxBytes. */
export async function readAttachmentText(a: AttachmentRef, opts: OpenAttachmentOptions = {}): Promise<string> {
  const bytes = await readAttachmentBytes(a, opts);
  if (bytes.includes(0)) throw new UserError('BinaryAttachment', `\`${a.name}\` looks like a binary file, not text.`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError('NotUtf8', `\`${a.name}\` is not valid UTF-8 text.`);
  }
}
