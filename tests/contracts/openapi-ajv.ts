/** Ajv plumbing for the OpenAPI contract checker: instance setup, JSON pointers, readable errors. */
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { ErrorObject, Format, ValidateFunction } from 'ajv/dist/2020.js';

type AjvInstance = InstanceType<typeof ajv2020.default>;

/** Key under which the whole OpenAPI document is registered; refs look like `openapi-doc#/components/...`. */
export const DOC_KEY = 'https://contracts.local/openapi-doc.json';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
/** Custom string formats by name, e.g. `{ snowflake: /^\d+$/ }` (an Ajv format: RegExp, function or `true`). */
export type Formats = Record<string, Format>;

/** Formats every spec gets: OpenAI's `unixtime`. */
const BASE_FORMATS: Formats = { unixtime: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 } };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A validator factory over one OpenAPI document; compiles each schema once, on first use. */
export class SchemaValidators {
  private ajv: AjvInstance | undefined;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(
    private readonly doc: JsonObject,
    private readonly opts: { coerce?: boolean; formats?: Formats } = {},
  ) {}

  /** Validates data against the schema at `pointer` (e.g. '/components/schemas/Foo'). Returns readable errors. */
  validate(pointer: string, data: unknown, label: string): string[] {
    return this.validateWith(pointer, () => ({ $ref: `${DOC_KEY}#${pointer}` }), data, label);
  }

  /** Validates against a schema built once per `key`; its refs into the document are written `${DOC_KEY}#/...`. */
  validateWith(key: string, build: () => object, data: unknown, label: string): string[] {
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.instance().compile(build());
      this.cache.set(key, fn);
    }
    return fn(data) ? [] : formatErrors(fn.errors ?? [], label);
  }

  private instance(): AjvInstance {
    if (this.ajv) return this.ajv;
    const ajv = new ajv2020.default({
      strict: false,
      allErrors: true,
      logger: false,
      coerceTypes: this.opts.coerce ? 'array' : false,
    });
    ajvFormats.default(ajv);
    for (const [name, format] of Object.entries({ ...BASE_FORMATS, ...this.opts.formats })) ajv.addFormat(name, format);
    ajv.addSchema(this.doc, DOC_KEY, undefined, false);
    this.ajv = ajv;
    return ajv;
  }
}

const MAX_ERRORS = 6;
const COMBINATORS = new Set(['anyOf', 'oneOf', 'allOf', 'if']);

/**
 * Turns Ajv errors into one line: `label: /messages/0/role must be one of: "user", "system"; / must have required
 * property 'model'`. Errors of anyOf/oneOf/allOf/if only restate their branches' errors and are left out; the allowed
 * values of enum/const errors at one place (one per branch) are merged.
 */
export function formatErrors(errors: ErrorObject[], label: string): string[] {
  const useful = errors.filter((e) => !COMBINATORS.has(e.keyword));
  const found = new Map<string, unknown[] | undefined>(); // line -> allowed values to append (enum/const)
  for (const e of useful.length > 0 ? useful : errors) {
    const at = e.instancePath || '/';
    const values = allowedValues(e);
    if (!values) found.set(`${at} ${describe(e)}`, undefined);
    else found.set(`${at} must be one of:`, [...(found.get(`${at} must be one of:`) ?? []), ...values]);
  }
  const lines = [...found].map(([line, values]) =>
    values ? `${line} ${[...new Set(values.map((v) => JSON.stringify(v)))].join(', ')}` : line,
  );
  const more = lines.length > MAX_ERRORS ? `; ... and ${lines.length - MAX_ERRORS} more` : '';
  return [`${label}: ${lines.slice(0, MAX_ERRORS).join('; ')}${more}`];
}

function allowedValues(e: ErrorObject): unknown[] | undefined {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'enum') return p['allowedValues'] as unknown[];
  return e.keyword === 'const' ? [p['allowedValue']] : undefined;
}

function describe(e: ErrorObject): string {
  const message = e.message ?? e.keyword;
  if (e.keyword !== 'additionalProperties') return message;
  return `${message} "${String((e.params as Record<string, unknown>)['additionalProperty'])}"`;
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
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
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
