/**
 * The functions of openapi.ts as methods of one object bound to a loaded spec, for callers that hand a contract
 * around (the Discord emulator). Share one instance: its schemas compile once, on first use.
 */
import {
  findOperation,
  loadSpec,
  validateQuery,
  validateRequest,
  validateResponse,
  validateSchema,
  type LoadedSpec,
  type LoadOptions,
  type Operation,
} from './openapi.js';

export class OpenApiContract {
  constructor(readonly spec: LoadedSpec) {}

  static fromFile(file: string, opts?: LoadOptions): OpenApiContract {
    return new OpenApiContract(loadSpec(file, opts));
  }

  findOperation(method: string, path: string): Operation | undefined {
    return findOperation(this.spec, method, path);
  }

  validateRequest(op: Operation, body: unknown, contentType?: string, opts?: { coerceForm?: boolean }): string[] {
    return validateRequest(op, body, contentType, opts);
  }

  validateQuery(op: Operation, query: Record<string, string>): string[] {
    return validateQuery(op, query);
  }

  validateResponse(op: Operation, status: number, body: unknown, contentType?: string): string[] {
    return validateResponse(op, status, body, contentType);
  }

  /** E.g. validateSchema('#/components/schemas/MessageResponse', x, 'gateway MESSAGE_CREATE'). */
  validateSchema(ref: string, data: unknown, label?: string): string[] {
    return validateSchema(this.spec, ref, data, label);
  }
}
