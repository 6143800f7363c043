/** POST /v1/chat/completions: JSON or SSE answers scripted by the fake's replies. */
import { makeCompletion, makeUsage, streamPayloads, type CompletionMeta } from '../chat-objects.js';
import { sendError, sendJson, sleep } from '../http.js';
import type { ChatCompletionRequestBody, Reply, Route, RouteContext } from '../types.js';

type TextReply = Extract<Reply, { text: string }>;

const DEFAULT_CHUNK_SIZE = 8;
const DEFAULT_RETRY_AFTER_MS = 10;

function isChatBody(body: unknown): body is ChatCompletionRequestBody {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b['model'] === 'string' && Array.isArray(b['messages']);
}

async function handle(ctx: RouteContext): Promise<void> {
  if (!isChatBody(ctx.body)) {
    sendError(ctx, 400, "The request needs a string 'model' and a 'messages' array.");
    return;
  }
  const body = ctx.body;
  const reply = await ctx.state.nextReply(body);
  if ('hangMs' in reply) return hang(ctx, reply.hangMs);
  if ('status' in reply) {
    const wait = reply.retryAfterMs === undefined ? DEFAULT_RETRY_AFTER_MS : reply.retryAfterMs;
    sendError(ctx, reply.status, reply.error, wait === null ? {} : { 'retry-after-ms': String(wait) }, reply.code ?? null);
    return;
  }
  const meta: CompletionMeta = { id: ctx.state.nextId('chatcmpl-fake'), model: body.model, created: nowSeconds() };
  if (body.stream === true) return streamReply(ctx, body, meta, reply);
  return jsonReply(ctx, body, meta, reply);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function promptText(body: ChatCompletionRequestBody): string {
  return body.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n');
}

function hang(ctx: RouteContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ctx.res.destroy();
      resolve();
    }, ms);
    ctx.state.track(timer);
    ctx.res.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function write(ctx: RouteContext, text: string): Promise<void> {
  return new Promise((resolve) => ctx.res.write(text, () => resolve()));
}

async function jsonReply(ctx: RouteContext, body: ChatCompletionRequestBody, meta: CompletionMeta, reply: TextReply) {
  const completion = makeCompletion(meta, reply.text, makeUsage(promptText(body), reply.text));
  if (!('cutAfterChunks' in reply)) {
    sendJson(ctx, 200, completion);
    return;
  }
  const text = JSON.stringify(completion);
  ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  await write(ctx, text.slice(0, Math.floor(text.length / 2)));
  ctx.res.destroy();
}

async function streamReply(ctx: RouteContext, body: ChatCompletionRequestBody, meta: CompletionMeta, reply: TextReply) {
  const cut = 'cutAfterChunks' in reply ? reply.cutAfterChunks : undefined;
  const chunkSize = 'chunkSize' in reply ? (reply.chunkSize ?? DEFAULT_CHUNK_SIZE) : DEFAULT_CHUNK_SIZE;
  const delay = 'chunkDelayMs' in reply ? (reply.chunkDelayMs ?? 0) : 0;
  const usage = body.stream_options?.include_usage === true ? makeUsage(promptText(body), reply.text) : undefined;
  const payloads = streamPayloads(meta, reply.text, chunkSize, usage);
  ctx.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let sent = 0;
  for (const payload of payloads) {
    if (ctx.res.destroyed || (cut !== undefined && sent >= cut)) break;
    ctx.contract.streamEvent('POST', ctx.path, payload);
    await write(ctx, `data: ${JSON.stringify(payload)}\n\n`);
    sent++;
    if (delay > 0) await sleep(delay);
  }
  if (cut !== undefined) ctx.res.destroy();
  else if (!ctx.res.destroyed) ctx.res.end('data: [DONE]\n\n');
}

export const chatCompletionRoutes: Route[] = [{ method: 'POST', path: '/v1/chat/completions', handle }];
