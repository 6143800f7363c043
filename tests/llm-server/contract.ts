/** Records where the fake server's traffic breaks the OpenAI OpenAPI contract. */
import { fileURLToPath } from 'node:url';
import { findOperation, loadSpec, validateRequest, validateResponse, validateSchema, type LoadedSpec } from '../contracts/openapi.js';

/** ../shared beside the repository, as in CI. */
export const OPENAI_SPEC_PATH = fileURLToPath(new URL('../../../shared/contracts/openai-openapi.compilable.json', import.meta.url));

/** Loads the OpenAI spec (about 30 ms; schemas compile on first use). Share one across servers to save time. */
export function loadOpenAiSpec(path = OPENAI_SPEC_PATH): LoadedSpec {
  return loadSpec(path, { basePath: '/v1' });
}

export class ContractRecorder {
  /** `spec` undefined disables checking. */
  constructor(
    private readonly spec: LoadedSpec | undefined,
    readonly violations: string[],
  ) {}

  /** Checks a request body (JSON, or an object of multipart fields with contentType multipart/form-data). */
  request(method: string, path: string, body: unknown, contentType?: string): void {
    if (!this.spec) return;
    const op = findOperation(this.spec, method, path);
    if (!op) {
      this.violations.push(`${method} ${path}: no such operation in the OpenAI spec`);
      return;
    }
    this.violations.push(...validateRequest(op, body, contentType));
  }

  /** Checks a response body. Undocumented error statuses are checked against ErrorResponse. */
  response(method: string, path: string, status: number, body: unknown, contentType = 'application/json'): void {
    if (!this.spec) return;
    const op = findOperation(this.spec, method, path);
    if (!op) return;
    const found = validateResponse(op, status, body, contentType);
    const undocumented = found.length === 1 && found[0]?.includes('is not documented for this operation');
    if (undocumented && status >= 400) {
      this.violations.push(...validateSchema(this.spec, '#/components/schemas/ErrorResponse', body, `${method} ${path} error ${status}`));
      return;
    }
    this.violations.push(...found);
  }

  /** Checks one parsed SSE `data` payload of a streamed response. */
  streamEvent(method: string, path: string, data: unknown): void {
    this.response(method, path, 200, data, 'text/event-stream');
  }
}
