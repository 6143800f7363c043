/** Small HTTP helpers for the fake server. */
import type { IncomingMessage } from 'node:http';
import type { RouteContext } from './types.js';

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

export function isJson(contentType: string | undefined): boolean {
  return /^application\/([\w.+-]*\+)?json\b/i.test(contentType ?? '');
}

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(status: number, message?: string, code: string | null = null): OpenAiErrorBody {
  const type = status === 401 ? 'invalid_request_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message: message ?? `fake error ${status}`, type, param: null, code } };
}

/** Sends JSON and checks it against the contract of the current operation. */
export function sendJson(ctx: RouteContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  ctx.contract.response(ctx.req.method ?? 'GET', ctx.path, status, body);
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_fake_${Date.now().toString(36)}`,
    ...headers,
  });
  ctx.res.end(text);
}

export function sendError(
  ctx: RouteContext,
  status: number,
  message?: string,
  headers: Record<string, string> = {},
  code: string | null = null,
): void {
  sendJson(ctx, status, errorBody(status, message, code), headers);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Text of the last user message ('' if none); array content keeps its text parts. */
export function lastUserText(messages: { role: string; content: unknown }[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  if (!Array.isArray(last.content)) return '';
  return last.content.map((part: unknown) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('');
}
