/** The checker on a small inline spec: query strings, custom formats, path decoding, typed multipart, the class API. */
import { describe, expect, test } from 'vitest';
import { OpenApiContract } from './openapi-contract.js';
import { findOperation, specFromDocument, validateQuery, validateRequest, validateResponse, type Operation } from './openapi.js';

const id = { type: 'string', format: 'snowflake' };
const item = { type: 'object', required: ['id', 'tags'], properties: { id, tags: { type: 'array', items: { type: 'string' } } } };

const doc = () => ({
  openapi: '3.1.0',
  servers: [{ url: 'https://example.invalid/api/v10' }],
  paths: {
    '/items/{item_id}': {
      parameters: [{ name: 'item_id', in: 'path', required: true, schema: id }],
      get: {
        parameters: [
          { $ref: '#/components/parameters/Limit' },
          { name: 'mode', in: 'query', required: true, schema: { enum: ['a', 'b'] } },
        ],
        responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } } },
      },
    },
    '/items/@me': { get: { responses: { '204': { description: 'none' } } } },
    '/items/{item_id}/files': {
      post: {
        requestBody: {
          required: true,
          content: { 'multipart/form-data': { schema: { allOf: [{ $ref: '#/components/schemas/Item' }, { type: 'object' }] } } },
        },
        responses: { '204': { description: 'none' } },
      },
    },
  },
  components: {
    parameters: { Limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } } },
    schemas: { Item: item },
  },
});

const spec = () => specFromDocument(doc(), { formats: { snowflake: /^(0|[1-9][0-9]*)$/ } });

function op(method: string, path: string, s = spec()): Operation {
  const found = findOperation(s, method, path);
  if (!found) throw new Error(`${method} ${path} not found`);
  return found;
}

describe('findOperation', () => {
  test('strips the server base path, decodes segments, prefers literals', () => {
    const s = spec();
    expect(s.basePath).toBe('/api/v10');
    expect(op('get', '/api/v10/items/12?x=1', s)).toMatchObject({
      method: 'GET',
      template: '/items/{item_id}',
      pathParams: { item_id: '12' },
    });
    expect(op('GET', '/items/%40me', s).template).toBe('/items/@me');
    expect(op('GET', '/items/%E0%A4%A', s).pathParams).toEqual({ item_id: '%E0%A4%A' }); // malformed: kept as is
  });
});

describe('validateQuery', () => {
  test('coerces strings, follows parameter $refs, reports bad values and missing required parameters', () => {
    const get = op('GET', '/items/1');
    expect(validateQuery(get, { limit: '5', mode: 'a', extra: 'ok' })).toEqual([]);
    expect(validateQuery(get, { limit: 'lots', mode: 'c' })).toEqual([
      'GET /items/{item_id} query: /limit must be integer; /mode must be one of: "a", "b"',
    ]);
    expect(validateQuery(get, { limit: '500' })).toEqual([
      "GET /items/{item_id} query: / must have required property 'mode'; /limit must be <= 100",
    ]);
    expect(validateQuery(op('GET', '/items/@me'), { anything: 'x' })).toEqual([]);
  });
});

describe('custom formats', () => {
  test('a format given at load time is enforced; without it the format is ignored', () => {
    const body = { id: 'abc', tags: [] };
    expect(validateResponse(op('GET', '/items/1'), 200, body)).toEqual([
      'GET /items/{item_id} response 200: /id must match format "snowflake"',
    ]);
    expect(validateResponse(op('GET', '/items/1', specFromDocument(doc())), 200, body)).toEqual([]);
  });
});

describe('multipart bodies', () => {
  test('text fields are coerced by default; typed values (coerceForm: false) are checked as they are', () => {
    const post = op('POST', '/items/1/files');
    const form = 'multipart/form-data; boundary=x';
    expect(validateRequest(post, { id: '1', tags: 'one' }, form)).toEqual([]); // 'one' -> ['one']
    expect(validateRequest(post, { id: '1', tags: 'one' }, form, { coerceForm: false })).toEqual([
      'POST /items/{item_id}/files request: /tags must be array',
    ]);
    expect(validateRequest(post, { id: '1', tags: ['one'] }, form, { coerceForm: false })).toEqual([]);
  });
});

describe('OpenApiContract', () => {
  test('binds the functions to one spec', () => {
    const c = new OpenApiContract(spec());
    const get = c.findOperation('GET', '/items/7');
    if (!get) throw new Error('not found');
    expect(c.validateQuery(get, { mode: 'z' })).toEqual(['GET /items/{item_id} query: /mode must be one of: "a", "b"']);
    expect(c.validateResponse(get, 200, { id: '7' })).toEqual(["GET /items/{item_id} response 200: / must have required property 'tags'"]);
    expect(c.validateResponse(get, 404, undefined)).toEqual([
      'GET /items/{item_id} response 404: status 404 is not documented for this operation',
    ]);
    expect(c.validateRequest(get, { a: 1 })).toEqual(['GET /items/{item_id} request: the operation defines no request body']);
    expect(c.validateSchema('#/components/schemas/Item', { id: '1', tags: [2] }, 'item')).toEqual(['item: /tags/0 must be string']);
  });
});
