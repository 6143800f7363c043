/** Loading an OpenAPI document and finding the operation for a concrete request (see openapi.ts). */
import { readFileSync } from 'node:fs';
import {
  SchemaValidators,
  derefPointer,
  escapePointer,
  isObject,
  normalizeExclusiveBounds,
  normalizeNullableEnums,
  type Formats,
  type JsonObject,
} from './openapi-ajv.js';

export interface LoadedSpec {
  readonly file: string;
  readonly doc: JsonObject;
  /** Path prefix of the first server URL (e.g. '/v1'); stripped from concrete paths when matching. */
  readonly basePath: string;
  /** @internal JSON validators. */
  readonly json: SchemaValidators;
  /** @internal Validators that coerce strings (multipart form fields, query strings). */
  readonly form: SchemaValidators;
}

export interface LoadOptions {
  /** Path prefix stripped from concrete paths (default: the path of the first server URL). */
  basePath?: string;
  /** Custom string formats of the spec, e.g. Discord's `snowflake`. */
  formats?: Formats;
}

export interface Operation {
  readonly spec: LoadedSpec;
  /** Upper case, e.g. 'POST'. */
  readonly method: string;
  /** Templated path as in the spec, e.g. '/chat/completions/{completion_id}'. */
  readonly template: string;
  readonly operationId: string | undefined;
  readonly pathParams: Record<string, string>;
  /** JSON pointer of the operation object inside the document. */
  readonly pointer: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function loadSpec(file: string, opts: LoadOptions = {}): LoadedSpec {
  return specFromDocument(JSON.parse(readFileSync(file, 'utf8')), opts, file);
}

/** Like loadSpec for a parsed document; normalizes `doc` in place (OpenAPI 3.0 nullable enums, boolean bounds). */
export function specFromDocument(doc: unknown, opts: LoadOptions = {}, file = '(document)'): LoadedSpec {
  if (!isObject(doc) || !isObject(doc.paths)) throw new Error(`${file}: not an OpenAPI document (no "paths")`);
  normalizeNullableEnums(doc);
  normalizeExclusiveBounds(doc);
  return {
    file,
    doc,
    basePath: opts.basePath ?? serverBasePath(doc),
    json: new SchemaValidators(doc, { formats: opts.formats }),
    form: new SchemaValidators(doc, { formats: opts.formats, coerce: true }),
  };
}

function serverBasePath(doc: JsonObject): string {
  const servers = doc.servers;
  const first = Array.isArray(servers) ? servers[0] : undefined;
  const url = isObject(first) && typeof first.url === 'string' ? first.url : '';
  try {
    return new URL(url, 'http://base.invalid').pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/**
 * Finds the operation for `method` + a concrete path ('/v1/chat/completions' or '/chat/completions', query allowed).
 * Segments are percent-decoded before matching; literal segments beat parameters ('/users/@me' over '/users/{id}').
 */
export function findOperation(spec: LoadedSpec, method: string, concretePath: string): Operation | undefined {
  const m = method.toLowerCase();
  if (!METHODS.includes(m)) return undefined;
  const path = concretePath.split(/[?#]/)[0] ?? '';
  const candidates = [path];
  if (spec.basePath && path.startsWith(`${spec.basePath}/`)) candidates.push(path.slice(spec.basePath.length));
  for (const candidate of candidates) {
    const found = bestMatch(spec, m, candidate);
    if (found) return found;
  }
  return undefined;
}

function bestMatch(spec: LoadedSpec, method: string, path: string): Operation | undefined {
  const segments = path.split('/').map(safeDecode);
  let best: { template: string; params: Record<string, string>; score: number } | undefined;
  for (const [template, item] of Object.entries(spec.doc.paths as JsonObject)) {
    if (!isObject(item) || !isObject(item[method])) continue;
    const match = matchTemplate(template.split('/'), segments);
    if (match && (!best || match.score > best.score)) best = { template, ...match };
  }
  if (!best) return undefined;
  const pointer = `/paths/${escapePointer(best.template)}/${method}`;
  const opObject = derefPointer(spec.doc, pointer).node as JsonObject;
  const operationId = typeof opObject.operationId === 'string' ? opObject.operationId : undefined;
  return { spec, method: method.toUpperCase(), template: best.template, operationId, pathParams: best.params, pointer };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchTemplate(template: string[], actual: string[]): { params: Record<string, string>; score: number } | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  let score = 0;
  for (let i = 0; i < template.length; i++) {
    const t = template[i] ?? '';
    const a = actual[i] ?? '';
    const param = /^\{([^}]+)\}$/.exec(t);
    if (param?.[1] !== undefined) {
      if (a === '') return undefined;
      params[param[1]] = a;
    } else if (t === a) score++;
    else return undefined;
  }
  return { params, score };
}
