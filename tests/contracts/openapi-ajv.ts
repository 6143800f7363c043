/** Ajv plumbing for the OpenAPI contract checker: instance setup, JSON pointers, readable errors. */
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

type AjvInstance = InstanceType<typeof ajv2020.default>;

/** Key under which the whole OpenAPI document is registered; refs look like `openapi-doc#/components/...`. */
export const DOC_KEY = 'https://contracts.local/openapi-doc.json';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A validator factory over one OpenAPI document; compiles each pointer once, on first use. */
export class SchemaValidators {
  private ajv: AjvInstance | undefined;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(
    private readonly doc: JsonObject,
    private readonly coerce = false,
  ) {}

  /** Validates data against the schema at `pointer` (e.g. '/components/schemas/Foo'). Returns readable errors. */
  validate(pointer: string, data: unknown, label: string): string[] {
    const fn = this.compiled(pointer);
    if (fn(data)) return [];
    return formatErrors(fn.errors ?? [], label);
  }

  private compiled(pointer: string): ValidateFunction {
    const hit = this.cache.get(pointer);
    if (hit) return hit;
    const fn = this.instance().compile({ $ref: `${DOC_KEY}#${pointer}` });
    this.cache.set(pointer, fn);
    return fn;
  }

  private instance(): AjvInstance {
    if (this.ajv) return this.ajv;
    const ajv = new ajv2020.default({
      strict: false,
      allErrors: true,
      logger: false,
      coerceTypes: this.coerce ? 'array' : false,
    });
    ajvFormats.default(ajv);
    ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
    ajv.addSchema(this.doc, DOC_KEY, undefined, false);
    this.ajv = ajv;
    return ajv;
  }
}

const MAX_ERRORS = 8;

/** Turns Ajv errors into short sentences like `request body /messages/0/role: must be equal to one of: user, system`. */
export function formatErrors(errors: ErrorObject[], label: string): string[] {
  const lines = new Set<string>();
  for (const e of errors) lines.add(`${label} ${e.instancePath || '(root)'}: ${describe(e)}`);
  const all = [...lines];
  if (all.length <= MAX_ERRORS) return all;
  return [...all.slice(0, MAX_ERRORS), `${label}: ... and ${all.length - MAX_ERRORS} more schema errors`];
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unexpected property "${String(p['additionalProperty'])}"`;
    case 'required':
      return `missing required property "${String(p['missingProperty'])}"`;
    case 'enum':
      return `must be one of: ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p['allowedValue'])}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reads the value at a JSON pointer such as '/components/schemas/Foo'. */
export function atPointer(doc: JsonObject, pointer: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** Follows local `$ref`s ('#/...') from `pointer`; returns the final pointer and node. */
export function derefPointer(doc: JsonObject, pointer: string): { pointer: string; node: Json | undefined } {
  let current = pointer;
  for (let hops = 0; hops < 32; hops++) {
    const node = atPointer(doc, current);
    const ref = isObject(node) ? node['$ref'] : undefined;
    if (typeof ref !== 'string' || !ref.startsWith('#')) return { pointer: current, node };
    current = ref.slice(1);
  }
  throw new Error(`$ref chain too long at ${pointer}`);
}

/**
 * OpenAPI 3.0 `nullable: true` means "null is also allowed". Ajv honours it for `type` but not for `enum`,
 * so schemas like `{type: 'string', enum: ['stop'], nullable: true}` would reject null. Adds null to such enums.
 */
export function normalizeNullableEnums(node: Json): void {
  if (Array.isArray(node)) {
    for (const item of node) normalizeNullableEnums(item);
    return;
  }
  if (!isObject(node)) return;
  if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
  for (const value of Object.values(node)) normalizeNullableEnums(value);
}

/**
 * OpenAPI 3.0's `minimum: 0, exclusiveMinimum: true` (used by a few fine-tuning schemas of the shared
 * spec) is not JSON Schema 2020-12, and Ajv refuses to compile it: rewrite it to `exclusiveMinimum: 0`.
 */
export function normalizeExclusiveBounds(node: Json): void {
  if (Array.isArray(node)) {
    for (const item of node) normalizeExclusiveBounds(item);
    return;
  }
  if (!isObject(node)) return;
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof node[flag] !== 'boolean') continue;
    if (node[flag] === true && typeof node[bound] === 'number') {
      node[flag] = node[bound];
      delete node[bound];
    } else {
      delete node[flag];
    }
  }
  for (const value of Object.values(node)) normalizeExclusiveBounds(value);
}
