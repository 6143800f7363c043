/** Request dispatch of the fake server: body parsing, recording, auth, route table. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContractRecorder } from './contract.js';
import { isJson, readBody, sendError, sendJson, errorBody } from './http.js';
import type { FakeState, RecordedRequest, Route, RouteContext } from './types.js';

export interface DispatchDeps {
  apiKey: string;
  routes: Route[];
  state: FakeState;
  contract: ContractRecorder;
  requests: RecordedRequest[];
}

interface Match {
  route: Route;
  params: Record<string, string>;
}

export function matchRoute(routes: Route[], method: string, path: string): Match | undefined {
  const actual = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== actual.length) continue;
    const params: Record<string, string> = {};
    const ok = template.every((t, i) => {
      const a = actual[i] ?? '';
      const name = /^\{(.+)\}$/.exec(t)?.[1];
      if (name === undefined) return t === a;
      params[name] = decodeURIComponent(a);
      return a !== '';
    });
    if (ok) return { route, params };
  }
  return undefined;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization' || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseBody(raw: Buffer, contentType: string | undefined): { body: unknown; badJson: boolean } {
  if (raw.length === 0) return { body: undefined, badJson: false };
  if (!isJson(contentType)) return { body: raw, badJson: false };
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown, badJson: false };
  } catch {
    return { body: raw.toString('utf8'), badJson: true };
  }
}

export async function dispatch(req: IncomingMessage, res: ServerResponse, deps: DispatchDeps): Promise<void> {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://fake.invalid').pathname;
  const contentType = req.headers['content-type'];
  const rawBody = await readBody(req);
  const { body, badJson } = parseBody(rawBody, contentType);
  const hasAuth = req.headers.authorization === `Bearer ${deps.apiKey}`;
  deps.requests.push({ method, path, body, headers: headerRecord(req), hasAuth, at: Date.now() });
  const match = matchRoute(deps.routes, method, path);
  const ctx: RouteContext = {
    req,
    res,
    path,
    params: match?.params ?? {},
    rawBody,
    body,
    contract: deps.contract,
    state: deps.state,
  };
  if (!hasAuth) {
    sendJson(ctx, 401, errorBody(401, 'Incorrect API key provided.', 'invalid_api_key'));
    return;
  }
  if (badJson) {
    deps.contract.violations.push(`${method} ${path}: request body is not valid JSON`);
    sendError(ctx, 400, 'We could not parse the JSON body of your request.');
    return;
  }
  if (body === undefined || isJson(contentType)) deps.contract.request(method, path, body, contentType);
  if (!match) {
    sendError(ctx, 404, `The fake LLM server has no route ${method} ${path}.`);
    return;
  }
  await match.route.handle(ctx);
}

/** Wraps dispatch so a throwing handler answers 500 instead of hanging the client. */
export function safeDispatch(deps: DispatchDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    dispatch(req, res, deps).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorBody(500, `fake LLM handler failed: ${message}`)));
    });
  };
}
