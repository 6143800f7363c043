/** GET /v1/models and GET /v1/models/{model}. */
import { sendError, sendJson } from '../http.js';
import type { Route, RouteContext } from '../types.js';

const CREATED = 1_700_000_000;

function modelObject(id: string) {
  return { id, object: 'model' as const, created: CREATED, owned_by: 'fake-llm' };
}

function list(ctx: RouteContext): void {
  sendJson(ctx, 200, { object: 'list', data: ctx.state.models.map(modelObject) });
}

function retrieve(ctx: RouteContext): void {
  const id = ctx.params['model'] ?? '';
  if (!ctx.state.models.includes(id)) {
    sendError(ctx, 404, `The model '${id}' does not exist`);
    return;
  }
  sendJson(ctx, 200, modelObject(id));
}

export const modelRoutes: Route[] = [
  { method: 'GET', path: '/v1/models', handle: list },
  { method: 'GET', path: '/v1/models/{model}', handle: retrieve },
];
