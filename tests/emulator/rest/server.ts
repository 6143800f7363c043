/**
 * The HTTP side: /api/v10 REST (record -> auth -> faults -> latency -> handler -> contract check -> answer),
 * uploaded files under /attachments/, and WebSocket upgrades handed to the gateway.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { EmuContext } from '../context.js';
import { specShaped, type OpenApiContract } from '../contract.js';
import type { FaultInjector } from '../faults.js';
import type { RecordedRequest } from '../types.js';
import { parseBody, readRaw } from './body.js';
import { DiscordHttpError, errors } from './errors.js';
import type { EmuRequest, EmuResponse, Router } from './router.js';

export interface ServerDeps {
  ctx: EmuContext;
  router: Router;
  faults: FaultInjector;
  contract: OpenApiContract | null;
}

const API_PREFIX = '/api/v10';

export function createEmulatorServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      console.error('discord emulator: internal error', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `emulator crashed: ${String(err)}`, code: 0 }));
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!deps.ctx.gateway.handleUpgrade(req, socket, head)) socket.destroy();
  });
  return server;
}

function send(res: ServerResponse, r: EmuResponse): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (r.body === undefined) {
    res.writeHead(r.status, headers).end();
    return;
  }
  res.writeHead(r.status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(r.body));
}

function serveAttachment(deps: ServerDeps, path: string, res: ServerResponse): void {
  const id = path.split('/')[3] ?? '';
  const a = deps.ctx.state.attachments.get(id);
  if (!a) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  res.writeHead(200, { 'content-type': a.contentType ?? 'application/octet-stream', 'content-length': String(a.size) }).end(a.data);
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (k !== 'authorization' && v !== undefined) out[k] = String(v);
  return out;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  if (url.pathname.startsWith('/attachments/')) return serveAttachment(deps, url.pathname, res);
  const raw = await readRaw(req);
  const path = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
  const match = deps.router.match(method, path);
  const rec: RecordedRequest = {
    at: Date.now(),
    method,
    path,
    route: match.kind === 'found' ? match.def.route : '',
    query: Object.fromEntries(url.searchParams),
    headers: headersOf(req),
    hasAuth: req.headers.authorization !== undefined,
    body: undefined,
    status: 0,
    response: undefined,
    violations: [],
  };
  deps.ctx.state.rec.requests.push(rec);
  const response = await respond(deps, req, rec, raw, url.pathname.startsWith(`${API_PREFIX}/`) ? match : { kind: 'none' });
  const delay = deps.faults.delayFor(rec.method, rec.path, rec.route);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  rec.status = response.status;
  rec.response = response.body;
  checkResponse(deps, rec);
  send(res, response);
}

async function respond(
  deps: ServerDeps,
  req: IncomingMessage,
  rec: RecordedRequest,
  raw: Buffer,
  match: ReturnType<Router['match']>,
): Promise<EmuResponse> {
  try {
    const body = await parseBody(raw, req.headers['content-type']);
    rec.body = body.recorded;
    checkRequest(deps, rec, body.json, body.contentType);
    if (match.kind === 'none') throw notFoundFor(deps, rec);
    if (match.kind === 'method') throw errors.methodNotAllowed();
    if (match.def.auth && req.headers.authorization !== `Bot ${deps.ctx.token}`) throw errors.unauthorized();
    const fault = deps.faults.take(rec.method, rec.path, rec.route);
    if (fault) return fault;
    const emuReq: EmuRequest = {
      method: rec.method,
      path: rec.path,
      route: rec.route,
      params: match.params,
      query: rec.query,
      headers: rec.headers,
      body: body.json,
      files: body.files,
    };
    return await match.def.handler(emuReq, deps.ctx);
  } catch (err) {
    if (err instanceof DiscordHttpError) return { status: err.status, body: err.body };
    throw err;
  }
}

/** Discord's 404; when the route exists in Discord's spec, the message says that the emulator lacks it. */
function notFoundFor(deps: ServerDeps, rec: RecordedRequest): DiscordHttpError {
  const op = deps.contract?.findOperation(rec.method, rec.path);
  if (!op) return errors.notFound();
  return new DiscordHttpError(404, 0, `404: Not Found (the Discord emulator does not implement ${op.method} ${op.template})`);
}

function violation(deps: ServerDeps, rec: RecordedRequest, lines: string[]): void {
  rec.violations.push(...lines);
  deps.ctx.state.rec.contractViolations.push(...lines);
}

function checkRequest(deps: ServerDeps, rec: RecordedRequest, json: unknown, contentType: string): void {
  if (!deps.contract) return;
  const op = deps.contract.findOperation(rec.method, rec.path);
  if (!op) return violation(deps, rec, [`${rec.method} ${rec.path}: no such operation in the Discord API spec`]);
  violation(deps, rec, [
    ...deps.contract.validateQuery(op, rec.query),
    // A multipart body is checked as its parsed payload_json: typed JSON, not text fields.
    ...deps.contract.validateRequest(op, json, json === undefined ? undefined : contentType, { coerceForm: false }),
  ]);
}

function checkResponse(deps: ServerDeps, rec: RecordedRequest): void {
  const op = deps.contract?.findOperation(rec.method, rec.path);
  // The spec documents no 5xx answers; those only come from failNext and are not checked.
  if (!deps.contract || !op || rec.status >= 500) return;
  violation(deps, rec, deps.contract.validateResponse(op, rec.status, specShaped(rec.response)));
}
