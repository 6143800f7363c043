/**
 * Generic OpenAPI 3.x contract checker (Ajv, JSON Schema 2020-12).
 * Load a spec once, find the operation for a concrete request, then check bodies; every check returns
 * readable violation strings (empty array = conforms). Schemas are compiled lazily per operation and cached.
 */
import { readFileSync } from 'node:fs';
import {
  SchemaValidators,
  derefPointer,
  escapePointer,
  isObject,
  normalizeNullableEnums,
  normalizeExclusiveBounds,
  type Json,
  type JsonObject,
} from './openapi-ajv.js';

export interface LoadedSpec {
  readonly file: string;
  readonly doc: JsonObject;
  /** Path prefix of the first server URL (e.g. '/v1'); stripped from concrete paths when matching. */
  readonly basePath: string;
  /** @internal JSON validators. */
  readonly json: SchemaValidators;
  /** @internal Validators that coerce strings (multipart form fields). */
  readonly form: SchemaValidators;
}

export interface Operation {
  readonly spec: LoadedSpec;
  readonly method: string;
  /** Templated path as in the spec, e.g. '/chat/completions/{completion_id}'. */
  readonly pathTemplate: string;
  readonly operationId: string | undefined;
  readonly pathParams: Record<string, string>;
  /** JSON pointer of the operation object inside the document. */
  readonly pointer: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function loadSpec(file: string, opts: { basePath?: string } = {}): LoadedSpec {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
  if (!isObject(doc.paths)) throw new Error(`${file}: not an OpenAPI document (no "paths")`);
  normalizeNullableEnums(doc);
  normalizeExclusiveBounds(doc);
  return {
    file,
    doc,
    basePath: opts.basePath ?? serverBasePath(doc),
    json: new SchemaValidators(doc),
    form: new SchemaValidators(doc, true),
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

/** Finds the operation for `method` + a concrete path ('/v1/chat/completions' or '/chat/completions', query allowed). */
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
  const segments = path.split('/');
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
  return { spec, method, pathTemplate: best.template, operationId, pathParams: best.params, pointer };
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
      params[param[1]] = decodeURIComponent(a);
    } else if (t === a) score++;
    else return undefined;
  }
  return { params, score };
}

function label(op: Operation, what: string): string {
  return `${op.method.toUpperCase()} ${op.pathTemplate} ${what}`;
}

/** Checks a request body. JSON bodies are validated whole; multipart bodies are given as an object of form fields. */
export function validateRequest(op: Operation, body: unknown, contentType?: string): string[] {
  const name = label(op, 'request body');
  const rb = derefPointer(op.spec.doc, `${op.pointer}/requestBody`);
  if (!isObject(rb.node)) return isEmpty(body) ? [] : [`${name}: the operation defines no request body`];
  if (isEmpty(body)) return rb.node.required === true ? [`${name}: a request body is required`] : [];
  const media = pickMedia(rb.node.content, contentType, name);
  if (typeof media !== 'string') return media.errors;
  const schemaPtr = `${rb.pointer}/content/${escapePointer(media)}/schema`;
  if (media === 'multipart/form-data') return validateForm(op.spec, schemaPtr, body, name);
  return op.spec.json.validate(schemaPtr, body, name);
}

/**
 * Checks a response body for `status`. For 'text/event-stream' pass one event's parsed `data`.
 * Binary bodies (Buffer/Uint8Array) are only checked for a documented status and content type.
 */
export function validateResponse(op: Operation, status: number, body: unknown, contentType?: string): string[] {
  const name = label(op, `response ${status}`);
  const responses = `${op.pointer}/responses`;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find(
    (k) => derefPointer(op.spec.doc, `${responses}/${k}`).node !== undefined,
  );
  if (key === undefined) return [`${name}: status ${status} is not documented for this operation`];
  const resp = derefPointer(op.spec.doc, `${responses}/${key}`);
  if (!isObject(resp.node) || !isObject(resp.node.content)) {
    return isEmpty(body) ? [] : [`${name}: the spec documents no body for this status`];
  }
  const media = pickMedia(resp.node.content, contentType, name);
  if (typeof media !== 'string') return media.errors;
  if (body instanceof Uint8Array) return [];
  return op.spec.json.validate(`${resp.pointer}/content/${escapePointer(media)}/schema`, body, name);
}

/** Validates data against any schema of the document, e.g. validateSchema(spec, '#/components/schemas/ErrorResponse', x). */
export function validateSchema(spec: LoadedSpec, ref: string, data: unknown, what = ref): string[] {
  return spec.json.validate(ref.replace(/^#/, ''), data, what);
}

function isEmpty(body: unknown): boolean {
  return body === undefined || body === null || body === '';
}

function pickMedia(content: Json | undefined, contentType: string | undefined, name: string): string | { errors: string[] } {
  const types = isObject(content) ? Object.keys(content) : [];
  const wanted = contentType?.split(';')[0]?.trim().toLowerCase();
  if (wanted) {
    const hit = types.find((t) => t.toLowerCase() === wanted) ?? types.find((t) => mediaMatches(t, wanted));
    if (hit) return hit;
    return { errors: [`${name}: content type "${wanted}" is not documented (documented: ${types.join(', ') || 'none'})`] };
  }
  const preferred = types.find((t) => t === 'application/json') ?? types[0];
  return preferred ?? { errors: [`${name}: no content type documented`] };
}

function mediaMatches(pattern: string, actual: string): boolean {
  if (pattern === '*/*') return true;
  const [type, sub] = pattern.toLowerCase().split('/');
  return sub === '*' && actual.startsWith(`${type}/`);
}

/** Multipart: required fields must be present; each present non-file field is checked against its property schema. */
function validateForm(spec: LoadedSpec, schemaPtr: string, body: unknown, name: string): string[] {
  if (!isObject(body)) return [`${name}: a multipart body must be given as an object of form fields`];
  const { pointer, node } = derefPointer(spec.doc, schemaPtr);
  if (!isObject(node) || !isObject(node.properties)) return spec.form.validate(pointer, body, name);
  const errors: string[] = [];
  const required = Array.isArray(node.required) ? node.required : [];
  for (const field of required) {
    if (typeof field === 'string' && !(field in body) && !(`${field}[]` in body)) {
      errors.push(`${name}: missing required form field "${field}"`);
    }
  }
  for (const [rawField, value] of Object.entries(body)) {
    const field = rawField.replace(/\[\]$/, '');
    const propPtr = `${pointer}/properties/${escapePointer(field)}`;
    const prop = derefPointer(spec.doc, propPtr).node;
    if (prop === undefined) {
      if (node.additionalProperties === false) errors.push(`${name}: unexpected form field "${field}"`);
      continue;
    }
    if (isBinary(prop)) continue;
    errors.push(...spec.form.validate(propPtr, value, `${name} field "${field}"`));
  }
  return errors;
}

function isBinary(schema: Json): boolean {
  if (!isObject(schema)) return false;
  return schema.format === 'binary' || typeof schema.contentMediaType === 'string' || schema['x-oaiTypeLabel'] === 'file';
}
