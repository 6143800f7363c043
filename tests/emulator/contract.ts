/**
 * A small, generic OpenAPI 3.1 contract checker (Ajv 2020): load a spec, find the operation for a method + concrete
 * path, validate request bodies, query strings and response bodies. Validators are compiled lazily and cached.
 * Nothing here is Discord-specific except `createDiscordContract`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

type Obj = Record<string, unknown>;
type AjvInstance = InstanceType<typeof Ajv2020.default>;

export interface Operation {
  method: string;
  /** The spec's templated path, e.g. /channels/{channel_id}/messages. */
  template: string;
  op: Obj;
  pathItem: Obj;
}

const DOC_ID = 'https://openapi-contract.invalid/doc.json';
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep copy of a schema with local refs ('#/components/...') pointing into the registered document. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (!isObj(node)) return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? DOC_ID + v : rebase(v);
  return out;
}

function describe(errors: ErrorObject[]): string {
  const useful = errors.filter((e) => !['anyOf', 'oneOf', 'allOf', 'if'].includes(e.keyword));
  const picked = (useful.length > 0 ? useful : errors).slice(0, 4);
  const lines = picked.map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` "${String((e.params as Obj).additionalProperty)}"` : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
  return [...new Set(lines)].join('; ') + (errors.length > picked.length && useful.length > 4 ? ' ...' : '');
}

export class OpenApiContract {
  private ajv: AjvInstance | undefined;
  private queryAjv: AjvInstance | undefined;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly templates: { template: string; parts: string[]; literals: number }[];

  constructor(
    readonly doc: Obj,
    private readonly formats: Record<string, RegExp | true> = {},
  ) {
    this.templates = Object.keys((doc.paths as Obj | undefined) ?? {}).map((template) => {
      const parts = template.split('/');
      return { template, parts, literals: parts.filter((p) => !p.startsWith('{')).length };
    });
  }

  static fromFile(file: string, formats?: Record<string, RegExp | true>): OpenApiContract {
    return new OpenApiContract(JSON.parse(readFileSync(file, 'utf8')) as Obj, formats);
  }

  /** The operation for a concrete path (no prefix, no query); literal segments beat parameters. */
  findOperation(method: string, path: string): Operation | undefined {
    const actual = path.split('/').map((seg) => {
      try {
        return decodeURIComponent(seg);
      } catch {
        return seg;
      }
    });
    let best: { template: string; literals: number } | undefined;
    for (const t of this.templates) {
      if (t.parts.length !== actual.length || (best && best.literals >= t.literals)) continue;
      const item = (this.doc.paths as Obj)[t.template] as Obj;
      if (!isObj(item[method.toLowerCase()])) continue;
      if (t.parts.every((p, i) => (p.startsWith('{') ? (actual[i] ?? '') !== '' : p === actual[i]))) best = t;
    }
    if (!best) return undefined;
    const pathItem = (this.doc.paths as Obj)[best.template] as Obj;
    return { method: method.toUpperCase(), template: best.template, op: pathItem[method.toLowerCase()] as Obj, pathItem };
  }

  /** Resolves an OpenAPI (non-schema) $ref such as '#/components/responses/X'. */
  resolve(node: unknown): unknown {
    let cur = node;
    for (let i = 0; i < 10 && isObj(cur) && typeof cur.$ref === 'string'; i++) {
      cur = cur.$ref
        .slice(2)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((acc, key) => (isObj(acc) ? acc[key] : undefined), this.doc);
    }
    return cur;
  }

  /** Request body check; for multipart pass the parsed payload_json (file parts are not validated). */
  validateRequest(op: Operation, body: unknown, contentType = 'application/json'): string[] {
    const rb = this.resolve(op.op.requestBody) as Obj | undefined;
    const label = `${op.method} ${op.template} request:`;
    if (!rb) return body === undefined ? [] : [`${label} the operation takes no body`];
    if (body === undefined) return rb.required === true ? [`${label} a body is required`] : [];
    const media = contentType.split(';')[0]?.trim() ?? '';
    const schema = ((rb.content as Obj | undefined)?.[media] as Obj | undefined)?.schema;
    if (schema === undefined) return [`${label} content type ${media} is not documented`];
    return this.check(`${op.method} ${op.template} req ${media}`, schema, body, label);
  }

  validateQuery(op: Operation, query: Record<string, string>): string[] {
    const params = [...((op.pathItem.parameters as unknown[]) ?? []), ...((op.op.parameters as unknown[]) ?? [])]
      .map((p) => this.resolve(p) as Obj)
      .filter((p) => p.in === 'query');
    if (params.length === 0 || Object.keys(query).length === 0) return [];
    const properties = Object.fromEntries(params.map((p) => [String(p.name), p.schema ?? {}]));
    const required = params.filter((p) => p.required === true).map((p) => String(p.name));
    const schema = { type: 'object', properties, required };
    return this.check(`${op.method} ${op.template} query`, schema, { ...query }, `${op.method} ${op.template} query:`, true);
  }

  validateResponse(op: Operation, status: number, body: unknown): string[] {
    const responses = (op.op.responses ?? {}) as Obj;
    const label = `${op.method} ${op.template} response ${status}:`;
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
    if (key === undefined) return [`${label} status not documented`];
    const resp = this.resolve(responses[key]) as Obj;
    const schema = ((resp.content as Obj | undefined)?.['application/json'] as Obj | undefined)?.schema;
    if (schema === undefined) return body === undefined ? [] : [`${label} the spec documents no body`];
    return this.check(`${op.method} ${op.template} res ${key}`, schema, body, label);
  }

  /** Validates data against a schema of the document, e.g. validateSchema('#/components/schemas/MessageResponse', x, 'label:'). */
  validateSchema(ref: string, data: unknown, label: string): string[] {
    return this.check(`schema ${ref}`, { $ref: ref }, data, label);
  }

  private check(key: string, schema: unknown, data: unknown, label: string, coerce = false): string[] {
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.instance(coerce).compile(rebase(schema) as Obj);
      this.cache.set(key, fn);
    }
    return fn(data) ? [] : [`${label} ${describe(fn.errors ?? [])}`];
  }

  private instance(coerce: boolean): AjvInstance {
    const existing = coerce ? this.queryAjv : this.ajv;
    if (existing) return existing;
    const ajv = new Ajv2020.default({ strict: false, logger: false, validateSchema: false, coerceTypes: coerce });
    addFormats.default(ajv);
    for (const [name, f] of Object.entries(this.formats)) ajv.addFormat(name, f);
    ajv.addSchema({ $id: DOC_ID, components: this.doc.components ?? {} });
    if (coerce) this.queryAjv = ajv;
    else this.ajv = ajv;
    return ajv;
  }
}

export const DISCORD_SPEC_PATH = fileURLToPath(new URL('../../../shared/contracts/discord-openapi.json', import.meta.url));

/** Discord's OpenAPI contract with its custom formats (snowflake ids, nonces). */
export function createDiscordContract(specPath = DISCORD_SPEC_PATH): OpenApiContract {
  return OpenApiContract.fromFile(specPath, { snowflake: /^(0|[1-9][0-9]*)$/, nonce: true });
}
