/** Request body parsing: JSON, or multipart/form-data with payload_json and files[n] (via undici's FormData parser). */
import type { IncomingMessage } from 'node:http';
import type { UploadedFile } from '../types.js';
import { DiscordHttpError } from './errors.js';

export interface ParsedBody {
  /** JSON body or parsed payload_json; undefined when empty. */
  json: unknown;
  files: UploadedFile[];
  /** What gets recorded: the JSON, or { payload_json, files: [{ field, name, size, contentType }] }. */
  recorded: unknown;
  contentType: string;
}

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const badJson = () => new DiscordHttpError(400, 50109, 'The request body contains invalid JSON.');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badJson();
  }
}

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const files: UploadedFile[] = [];
  let json: unknown;
  const fields: Record<string, string> = {};
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field === 'payload_json') json = parseJson(value);
      else fields[field] = value;
      continue;
    }
    const data = Buffer.from(await value.arrayBuffer());
    files.push({ field, name: value.name, size: data.length, contentType: value.type || null, data });
  }
  if (json === undefined && Object.keys(fields).length > 0) json = fields;
  const recorded = {
    payload_json: json,
    files: files.map(({ field, name, size, contentType: ct }) => ({ field, name, size, contentType: ct })),
  };
  return { json, files, recorded, contentType: 'multipart/form-data' };
}

export async function parseBody(raw: Buffer, contentTypeHeader: string | undefined): Promise<ParsedBody> {
  const contentType = (contentTypeHeader ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return { json: undefined, files: [], recorded: undefined, contentType };
  if (contentType === 'multipart/form-data') return parseMultipart(raw, contentTypeHeader ?? '');
  if (contentType === 'application/json' || contentType === '') {
    const json = parseJson(raw.toString('utf8'));
    return { json, files: [], recorded: json, contentType: 'application/json' };
  }
  throw new DiscordHttpError(415, 0, `Unsupported content type ${contentType}`);
}
