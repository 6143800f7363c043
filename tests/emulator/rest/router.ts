/** A small router over Discord's templated routes ('/channels/{channel_id}/messages'); literal segments win. */
import type { EmuContext } from '../context.js';
import type { UploadedFile } from '../types.js';

export interface EmuRequest {
  method: string;
  path: string;
  route: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body, or the parsed payload_json of a multipart body (undefined when there is none). */
  body: unknown;
  files: UploadedFile[];
}

export interface EmuResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: EmuRequest, ctx: EmuContext) => EmuResponse | Promise<EmuResponse>;

export interface RouteDef {
  method: string;
  route: string;
  /** false for interaction callbacks and webhook-token routes (no Authorization header needed). */
  auth: boolean;
  handler: Handler;
}

export type RouteMatch =
  { kind: 'found'; def: RouteDef; params: Record<string, string> } | { kind: 'method'; route: string } | { kind: 'none' };

/** Decodes one path segment (discord.js sends '@original' as '%40original'); malformed escapes stay as they are. */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchTemplate(route: string, path: string): { params: Record<string, string>; score: number } | undefined {
  const t = route.split('/');
  const a = path.split('/');
  if (t.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  let score = 0;
  for (let i = 0; i < t.length; i++) {
    const seg = t[i] ?? '';
    const actual = safeDecode(a[i] ?? '');
    const name = /^\{(\w+)\}$/.exec(seg)?.[1];
    if (name !== undefined && actual !== '') params[name] = actual;
    else if (seg === actual) score++;
    else return undefined;
  }
  return { params, score };
}

export class Router {
  private readonly defs: RouteDef[] = [];

  add(method: string, route: string, handler: Handler, opts: { auth?: boolean } = {}): this {
    this.defs.push({ method: method.toUpperCase(), route, auth: opts.auth ?? true, handler });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    let best: { def: RouteDef; params: Record<string, string>; score: number } | undefined;
    let otherMethod: string | undefined;
    for (const def of this.defs) {
      const m = matchTemplate(def.route, path);
      if (!m) continue;
      if (def.method !== method.toUpperCase()) {
        otherMethod ??= def.route;
        continue;
      }
      if (!best || m.score > best.score) best = { def, ...m };
    }
    if (best) return { kind: 'found', def: best.def, params: best.params };
    return otherMethod ? { kind: 'method', route: otherMethod } : { kind: 'none' };
  }
}
