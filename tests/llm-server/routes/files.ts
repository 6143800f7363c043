/** POST /v1/files (multipart upload) and GET /v1/files/{file_id}, backed by an in-memory store per server. */
import { sendError, sendJson } from '../http.js';
import type { Route, RouteContext } from '../types.js';

const PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;
type UploadPurpose = (typeof PURPOSES)[number];

/** The OpenAI `File` object. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: UploadPurpose;
  status: 'processed';
}

export interface StoredFile {
  object: FileObject;
  content: Buffer;
}

export class FakeFileStore {
  readonly files = new Map<string, StoredFile>();

  constructor(private readonly nextId: (prefix: string) => string) {}

  add(filename: string, purpose: UploadPurpose, content: Buffer): FileObject {
    const object: FileObject = {
      id: this.nextId('file-fake'),
      object: 'file',
      bytes: content.length,
      created_at: Math.floor(Date.now() / 1000),
      filename,
      purpose,
      status: 'processed',
    };
    this.files.set(object.id, { object, content });
    return object;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }
}

interface Upload {
  fields: Record<string, string>;
  file?: { name: string; content: Buffer };
}

/** Parses multipart/form-data with the platform's own parser (undici). */
async function parseUpload(ctx: RouteContext): Promise<Upload | undefined> {
  const contentType = ctx.req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType)) return undefined;
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(ctx.rawBody), { headers: { 'content-type': contentType } }).formData();
  } catch {
    return undefined;
  }
  const upload: Upload = { fields: {} };
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') upload.fields[name] = value;
    else if (name === 'file') upload.file = { name: value.name, content: Buffer.from(await value.arrayBuffer()) };
    else upload.fields[name] = '(binary)';
  }
  return upload;
}

async function create(ctx: RouteContext, store: FakeFileStore): Promise<void> {
  const upload = await parseUpload(ctx);
  if (!upload) {
    ctx.contract.violations.push('POST /v1/files: the request body is not multipart/form-data');
    sendError(ctx, 400, 'Uploads must be sent as multipart/form-data.');
    return;
  }
  ctx.contract.request('POST', ctx.path, { ...upload.fields, ...(upload.file ? { file: '(binary)' } : {}) }, 'multipart/form-data');
  const purpose = upload.fields['purpose'];
  if (!upload.file) {
    sendError(ctx, 400, "Missing required parameter: 'file'.");
    return;
  }
  if (!PURPOSES.includes(purpose as UploadPurpose)) {
    sendError(ctx, 400, `Invalid value for 'purpose': ${JSON.stringify(purpose ?? null)}.`);
    return;
  }
  sendJson(ctx, 200, store.add(upload.file.name, purpose as UploadPurpose, upload.file.content));
}

function retrieve(ctx: RouteContext, store: FakeFileStore): void {
  const id = ctx.params['file_id'] ?? '';
  const found = store.get(id);
  if (!found) {
    sendError(ctx, 404, `No such File object: ${id}`);
    return;
  }
  sendJson(ctx, 200, found.object);
}

export function fileRoutes(store: FakeFileStore): Route[] {
  return [
    { method: 'POST', path: '/v1/files', handle: (ctx) => create(ctx, store) },
    { method: 'GET', path: '/v1/files/{file_id}', handle: (ctx) => retrieve(ctx, store) },
  ];
}
