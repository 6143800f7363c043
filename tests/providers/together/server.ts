/**
 * A fake Together AI fine-tuning server on 127.0.0.1, built from Together's published API reference (see spec.ts
 * for the routes and the source). Jobs advance one stage per GET of the job: pending → queued → running (one step
 * per poll, with an event and a metrics snapshot) → compressing → uploading → completed (or error).
 * Every request is checked against the reference (auth, fields, enums); answers are checked for their required
 * properties; problems land in `contractViolations`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  findOperation,
  specFromDocument,
  validateRequest,
  validateResponse,
  validateSchema,
  type LoadedSpec,
  type Operation,
} from '../../contracts/openapi.js';
import { FILE_PURPOSES, FILE_TYPES, JOB_STATUSES, missing } from './spec.js';
import { fileProblem, iso, JobSimulator, type Job } from './sim.js';

let loaded: LoadedSpec | undefined;
/** Together's published OpenAPI document, cut to the fine-tuning paths (openapi-subset.json says from where). */
export function togetherSpec(): LoadedSpec {
  loaded ??= specFromDocument(
    JSON.parse(readFileSync(new URL('./openapi-subset.json', import.meta.url), 'utf8')) as unknown,
    {},
    'together openapi-subset.json',
  );
  return loaded;
}

export interface FakeTogether {
  baseURL: string;
  apiKey: string;
  /** Requests as received: method, path, JSON body (or form field names for uploads). */
  requests: { method: string; path: string; body: unknown }[];
  files: Map<string, { name: string; content: string; purpose: string }>;
  contractViolations: string[];
  /** Steps of jobs created from now on (default 3). */
  totalSteps: number;
  failNext(message?: string): void;
  /** The next `count` requests answer this HTTP status (e.g. 503). */
  failRequests(count: number, status: number): void;
  job(id: string): Record<string, unknown> | undefined;
  close(): Promise<void>;
}

export async function startFakeTogether(opts: { apiKey?: string; models?: string[] } = {}): Promise<FakeTogether> {
  const apiKey = opts.apiKey ?? 'together-fake-key-123456';
  const models = opts.models ?? ['meta-llama/Meta-Llama-3.1-8B-Instruct-Reference'];
  const jobs = new Map<string, Job>();
  let seq = 0;
  let pendingFailure: string | undefined;
  let failures = { count: 0, status: 503 };
  const fake: FakeTogether = {
    baseURL: '',
    apiKey,
    requests: [],
    files: new Map(),
    contractViolations: [],
    totalSteps: 3,
    failNext: (m = 'Training failed: the job ran out of memory') => void (pendingFailure = m),
    failRequests: (count, status) => void (failures = { count, status }),
    job: (id) => jobs.get(id)?.response,
    close: () => new Promise((r) => server.close(() => r())),
  };

  const spec = togetherSpec();
  const ops = new WeakMap<ServerResponse, Operation>();
  /** Answers are checked against the reference: 2xx by the operation's documented response, errors as ErrorData. */
  const send = (res: ServerResponse, status: number, body: Record<string, unknown>, schema?: Parameters<typeof missing>[0]) => {
    if (schema) for (const k of missing(schema, body)) fake.contractViolations.push(`answer ${schema} lacks ${k}`);
    const op = ops.get(res);
    const wire = JSON.parse(JSON.stringify(body)) as unknown;
    // The reference contradicts itself on job ids: FinetuneResponse.id is `format: uuid`, while its examples and the
    // path parameters say "A string that starts with `ft-`" (ft-<uuid>, as the fake answers). That one check is waived.
    if (op && status < 300)
      fake.contractViolations.push(
        ...validateResponse(op, status, wire, 'application/json')
          .map((v) => v.replace(/(; )?\/id must match format "uuid"/, ''))
          .filter((v) => !/response 200: ?$/.test(v)),
      );
    if (status >= 400) fake.contractViolations.push(...validateSchema(spec, '#/components/schemas/ErrorData', wire, `error ${status}`));
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, message: string, type = 'invalid_request_error') =>
    send(res, status, { error: { message, type, param: null, code: null } }, 'ErrorData');

  const sim = new JobSimulator(fake.contractViolations);
  const event = sim.event.bind(sim);
  const advance = sim.advance.bind(sim);

  const handlers: [
    string,
    RegExp,
    (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, body: Buffer) => Promise<void> | void,
  ][] = [
    [
      'POST',
      /^\/v1\/files\/upload$/,
      async (req, res, _m, body) => {
        let form: FormData;
        try {
          form = await new Request('http://fake.invalid', {
            method: 'POST',
            headers: { 'content-type': req.headers['content-type'] ?? '' },
            body,
          }).formData();
        } catch {
          return error(res, 400, 'Expected multipart/form-data');
        }
        const purpose = form.get('purpose');
        const name = form.get('file_name');
        const type = form.get('file_type') ?? 'jsonl';
        const file = form.get('file');
        fake.requests.at(-1)!.body = [...form.keys()];
        const fields = Object.fromEntries([...form.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : '(binary)']));
        fake.contractViolations.push(...validateRequest(ops.get(res)!, fields, 'multipart/form-data'));
        if (typeof purpose !== 'string' || !FILE_PURPOSES.includes(purpose)) return error(res, 400, 'purpose is required (FilePurpose)');
        if (typeof name !== 'string' || !name) return error(res, 400, 'file_name is required');
        if (typeof type !== 'string' || !FILE_TYPES.includes(type)) return error(res, 400, 'file_type must be csv, jsonl or parquet');
        if (!(file instanceof Blob)) return error(res, 400, 'file is required');
        const id = `file-${String(++seq).padStart(8, '0')}`;
        const content = await file.text();
        fake.files.set(id, { name, content, purpose });
        send(
          res,
          200,
          {
            id,
            object: 'file',
            created_at: Math.floor(Date.now() / 1000),
            filename: name,
            bytes: content.length,
            purpose,
            FileType: type,
            Processed: true,
            LineCount: content.split('\n').filter(Boolean).length,
          },
          'FileResponse',
        );
      },
    ],
    [
      'POST',
      /^\/v1\/fine-tunes$/,
      (_req, res, _m, raw) => {
        let b: Record<string, unknown>;
        try {
          b = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        } catch {
          return error(res, 400, 'Invalid JSON body');
        }
        fake.requests.at(-1)!.body = b;
        fake.contractViolations.push(...validateRequest(ops.get(res)!, b, 'application/json'));
        if (typeof b['model'] !== 'string' || !models.includes(b['model']))
          return error(res, 400, `Model ${JSON.stringify(b['model'] ?? null)} is not supported for fine-tuning`);
        const train = typeof b['training_file'] === 'string' ? fake.files.get(b['training_file']) : undefined;
        if (!train) return error(res, 400, `training_file ${JSON.stringify(b['training_file'] ?? null)} not found`);
        const tm = b['training_method'] as Record<string, unknown> | undefined;
        if (tm !== undefined && !(tm['method'] === 'dpo' || (tm['method'] === 'sft' && 'train_on_inputs' in tm)))
          return error(res, 400, 'training_method must be TrainingMethodSFT or TrainingMethodDPO');
        const method = tm?.['method'] === 'dpo' ? 'dpo' : 'sft';
        const problem = fileProblem(train.content, method);
        if (problem) return error(res, 400, `Invalid training file: ${problem}`);
        const valid = b['validation_file'];
        if (valid !== undefined && (typeof valid !== 'string' || !fake.files.has(valid)))
          return error(res, 400, 'validation_file not found');
        if (b['n_evals'] !== undefined && valid === undefined) return error(res, 400, 'n_evals requires a validation_file');
        const id = `ft-${crypto.randomUUID()}`;
        const now = iso();
        const job: Job = {
          totalSteps: fake.totalSteps,
          step: 0,
          hasValidation: typeof valid === 'string',
          metrics: [],
          ...(pendingFailure !== undefined ? { failWith: pendingFailure } : {}),
          response: {
            id,
            status: 'pending',
            created_at: now,
            updated_at: now,
            model: b['model'],
            training_file: b['training_file'],
            n_epochs: b['n_epochs'] ?? 1,
            suffix: b['suffix'],
            training_method: tm ?? { method: 'sft', train_on_inputs: false },
            events: [],
            ...(typeof valid === 'string' ? { validation_file: valid } : {}),
          },
        };
        pendingFailure = undefined;
        jobs.set(id, job);
        event(job, 'job_pending', 'Fine tune request created');
        const { events: _events, ...truncated } = job.response;
        send(res, 200, truncated, 'FinetuneResponseTruncated');
      },
    ],
    [
      'GET',
      /^\/v1\/fine-tunes\/([^/]+)$/,
      (_req, res, m) => {
        const job = jobs.get(decodeURIComponent(m[1]!));
        if (!job) return error(res, 404, `Fine-tune job ${m[1]} not found`, 'not_found');
        advance(job);
        if (!JOB_STATUSES.includes(job.response.status)) fake.contractViolations.push(`status ${job.response.status}`);
        send(res, 200, job.response, 'FinetuneResponse');
      },
    ],
    [
      'POST',
      /^\/v1\/fine-tunes\/([^/]+)\/cancel$/,
      (_req, res, m) => {
        const job = jobs.get(decodeURIComponent(m[1]!));
        if (!job) return error(res, 404, `Fine-tune job ${m[1]} not found`, 'not_found');
        if (['completed', 'error', 'cancelled'].includes(job.response.status))
          return error(res, 400, `Job ${job.response.id} is already ${job.response.status}`);
        job.response.status = 'cancel_requested';
        event(job, 'cancel_requested', 'Cancel requested');
        const { events: _events, ...truncated } = job.response;
        send(res, 200, { ...truncated, updated_at: iso() }, 'FinetuneResponseTruncated');
      },
    ],
    [
      'GET',
      /^\/v1\/fine-tunes\/([^/]+)\/events$/,
      (_req, res, m) => {
        const job = jobs.get(decodeURIComponent(m[1]!));
        if (!job) return error(res, 404, `Fine-tune job ${m[1]} not found`, 'not_found');
        for (const e of job.response.events) for (const k of missing('FineTuneEvent', e)) fake.contractViolations.push(`event lacks ${k}`);
        send(res, 200, { data: job.response.events });
      },
    ],
    [
      'GET',
      /^\/v1\/fine-tunes\/([^/]+)\/metrics$/,
      (_req, res, m) => {
        const job = jobs.get(decodeURIComponent(m[1]!));
        if (!job) return error(res, 404, `Fine-tune job ${m[1]} not found`, 'not_found');
        send(res, 200, { metrics: job.metrics });
      },
    ],
  ];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      fake.requests.push({ method: req.method ?? '', path: url.pathname, body: null });
      const op = findOperation(spec, req.method ?? 'GET', url.pathname);
      if (op) ops.set(res, op);
      if (req.headers.authorization !== `Bearer ${apiKey}`) return error(res, 401, 'Invalid API key provided', 'authentication_error');
      if (failures.count > 0) {
        failures.count--;
        return error(res, failures.status, 'The server is overloaded', 'server_error');
      }
      for (const [method, re, handle] of handlers) {
        const m = re.exec(url.pathname);
        if (m && method === req.method) {
          void Promise.resolve(handle(req, res, m, Buffer.concat(chunks))).catch((err: unknown) =>
            error(res, 500, String(err), 'server_error'),
          );
          return;
        }
      }
      fake.contractViolations.push(`unknown route ${req.method} ${url.pathname}`);
      error(res, 404, `No route ${req.method} ${url.pathname}`, 'not_found');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}
