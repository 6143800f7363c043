/**
 * Generic OpenAPI 3.x contract checker (Ajv, JSON Schema 2020-12), used for the OpenAI and the Discord specs.
 * Load a spec once, find the operation for a concrete request, then check bodies and query strings; every check
 * returns readable violation strings (empty array = conforms), one per failed check, e.g.
 * `POST /chat/completions request: /messages/0/role must be one of: "user"; / must have required property 'model'`.
 * Schemas are compiled lazily and cached. See openapi-contract.ts for the same API as methods of one object.
 */
import { DOC_KEY, derefPointer, escapePointer, isObject, type Json, type SchemaValidators } from './openapi-ajv.js';
import type { LoadedSpec, Operation } from './openapi-spec.js';

export type { Formats } from './openapi-ajv.js';
export { findOperation, loadSpec, specFromDocument } from './openapi-spec.js';
export type { LoadedSpec, LoadOptions, Operation } from './openapi-spec.js';

function label(op: Operation, what: string): string {
  return `${op.method} ${op.template} ${what}`;
}

/**
 * Checks a request body. JSON bodies are validated whole; multipart bodies are given as an object of form fields,
 * whose text values are coerced to the schema's types unless `coerceForm` is false (values already typed, such as
 * Discord's parsed payload_json).
 */
export function validateRequest(op: Operation, body: unknown, contentType?: string, opts: { coerceForm?: boolean } = {}): string[] {
  const name = label(op, 'request');
  const rb = derefPointer(op.spec.doc, `${op.pointer}/requestBody`);
  if (!isObject(rb.node)) return isEmpty(body) ? [] : [`${name}: the operation defines no request body`];
  if (isEmpty(body)) return rb.node.required === true ? [`${name}: a request body is required`] : [];
  const media = pickMedia(rb.node.content, contentType, name);
  if (typeof media !== 'string') return media.errors;
  const schemaPtr = `${rb.pointer}/content/${escapePointer(media)}/schema`;
  if (media !== 'multipart/form-data') return op.spec.json.validate(schemaPtr, body, name);
  return validateForm(op.spec, opts.coerceForm === false ? op.spec.json : op.spec.form, schemaPtr, body, name);
}

/** Checks query parameters (as parsed from the URL, all strings; coerced to their schemas' types). */
export function validateQuery(op: Operation, query: Record<string, string>): string[] {
  const params = queryParams(op);
  if (params.size === 0) return [];
  const build = () => ({
    type: 'object',
    properties: Object.fromEntries([...params].map(([name, p]) => [name, { $ref: `${DOC_KEY}#${p.pointer}/schema` }])),
    required: [...params].filter(([, p]) => p.required).map(([name]) => name),
  });
  return op.spec.form.validateWith(`query ${op.pointer}`, build, { ...query }, label(op, 'query'));
}

/** The operation's query parameters (path-level ones first, overridden by the operation's), $refs followed. */
function queryParams(op: Operation): Map<string, { pointer: string; required: boolean }> {
  const params = new Map<string, { pointer: string; required: boolean }>();
  for (const base of [op.pointer.slice(0, op.pointer.lastIndexOf('/')), op.pointer]) {
    const list = derefPointer(op.spec.doc, `${base}/parameters`);
    const count = Array.isArray(list.node) ? list.node.length : 0;
    for (let i = 0; i < count; i++) {
      const { pointer, node } = derefPointer(op.spec.doc, `${list.pointer}/${i}`);
      if (!isObject(node) || node.in !== 'query' || typeof node.name !== 'string') continue;
      params.set(node.name, { pointer, required: node.required === true });
    }
  }
  return params;
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

/** Validates data against any schema of the document, e.g. validateSchema(spec, '#/components/schemas/ErrorResponse', x, 'label'). */
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
function validateForm(spec: LoadedSpec, v: SchemaValidators, schemaPtr: string, body: unknown, name: string): string[] {
  if (!isObject(body)) return [`${name}: a multipart body must be given as an object of form fields`];
  const { pointer, node } = derefPointer(spec.doc, schemaPtr);
  if (!isObject(node) || !isObject(node.properties)) return v.validate(pointer, body, name);
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
    errors.push(...v.validate(propPtr, value, `${name} field "${field}"`));
  }
  return errors;
}

function isBinary(schema: Json): boolean {
  if (!isObject(schema)) return false;
  return schema.format === 'binary' || typeof schema.contentMediaType === 'string' || schema['x-oaiTypeLabel'] === 'file';
}
