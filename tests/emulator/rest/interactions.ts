/** Interaction callbacks and the interaction webhook (@original, followups); none of these need an Authorization header. */
import type { EmuContext } from '../context.js';
import { publishDelete, publishMessage } from '../events.js';
import { messageObject, newMessage } from '../objects-message.js';
import type { EmuInteraction, EmuMessage, InteractionResponseRecord } from '../types.js';
import { channelOf } from './access.js';
import { DiscordHttpError, errors, unknown } from './errors.js';
import { createBotMessage, editBotMessage } from './messages.js';
import type { EmuRequest, EmuResponse, Router } from './router.js';

const LOADING = 128;
const EPHEMERAL = 64;

function record(ctx: EmuContext, i: EmuInteraction, r: Omit<InteractionResponseRecord, 'interactionId' | 'at'>): void {
  ctx.state.rec.interactionResponses.push({ interactionId: i.id, at: Date.now(), ...r });
}

function byToken(ctx: EmuContext, req: EmuRequest): EmuInteraction {
  if (req.params.webhook_id !== ctx.state.applicationId) throw unknown('Webhook');
  const i = [...ctx.state.interactions.values()].find((x) => x.token === req.params.webhook_token);
  if (!i) throw unknown('Webhook');
  return i;
}

function responseType(i: EmuInteraction): number {
  return i.type === 2 ? (i.messageId ? 23 : 20) : 0;
}

/** type 5: the "thinking..." message that a later @original edit fills in. */
function deferredMessage(ctx: EmuContext, i: EmuInteraction, flags: number): EmuMessage {
  const m = newMessage(ctx.state, { channelId: i.channelId, authorId: ctx.state.botUser.id, content: '' });
  Object.assign(m, {
    flags: LOADING | (flags & EPHEMERAL),
    webhookId: ctx.state.applicationId,
    interactionId: i.id,
    type: responseType(i),
  });
  publishMessage(ctx, m);
  return m;
}

function dataRequest(req: EmuRequest): EmuRequest {
  const data = (req.body as { data?: unknown } | undefined)?.data;
  return { ...req, body: data ?? {} };
}

function applyCallback(ctx: EmuContext, req: EmuRequest, i: EmuInteraction, type: number): EmuMessage | null {
  const data = dataRequest(req);
  const flags = Number((data.body as { flags?: unknown }).flags ?? 0);
  if (type === 4) {
    channelOf(ctx, i.channelId);
    const extra = { webhookId: ctx.state.applicationId, interactionId: i.id, type: responseType(i) };
    return createBotMessage(ctx, data, i.channelId, extra);
  }
  if (type === 5) return deferredMessage(ctx, i, flags);
  const target = i.messageId ? ctx.state.messagesById.get(i.messageId) : undefined;
  if ((type === 6 || type === 7) && !target) throw new DiscordHttpError(400, 50035, 'Invalid Form Body: no message to update');
  if (type === 7 && target) return editBotMessage(ctx, data, target);
  return type === 6 ? (target ?? null) : null;
}

function callback(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const i = ctx.state.interactions.get(req.params.interaction_id ?? '');
  if (!i || i.token !== req.params.interaction_token) throw unknown('Interaction');
  if (i.callbackType !== null) throw errors.alreadyAcknowledged();
  if (Date.now() - i.createdAt > ctx.interactionTimeoutMs) throw unknown('Interaction');
  const type = Number((req.body as { type?: unknown } | undefined)?.type);
  if (![4, 5, 6, 7, 8, 9, 12].includes(type)) throw new DiscordHttpError(400, 50035, `Invalid interaction response type ${type}`);
  const message = applyCallback(ctx, req, i, type);
  i.callbackType = type;
  if (message && (type === 4 || type === 5)) i.originalMessageId = message.id;
  if (type === 6 || type === 7) i.originalMessageId = i.messageId;
  record(ctx, i, { kind: 'callback', type, data: (req.body as { data?: unknown }).data ?? null, messageId: message?.id ?? null });
  if (req.query.with_response !== 'true') return { status: 204 };
  const resource = { type, ...(message ? { message: messageObject(ctx.state, message, false) } : {}) };
  const interaction = {
    id: i.id,
    type: i.type,
    ...(message ? { response_message_id: message.id, response_message_loading: (message.flags & LOADING) !== 0 } : {}),
    ...(message ? { response_message_ephemeral: (message.flags & EPHEMERAL) !== 0 } : {}),
  };
  return { status: 200, body: { interaction, resource } };
}

function webhookMessage(ctx: EmuContext, req: EmuRequest, i: EmuInteraction): EmuMessage {
  const id = req.params.message_id === '@original' || req.params.message_id === undefined ? i.originalMessageId : req.params.message_id;
  const m = id ? ctx.state.messagesById.get(id) : undefined;
  const ours = m && (m.id === i.originalMessageId || i.followupIds.includes(m.id));
  if (!m || !ours || m.deleted) throw unknown('Message');
  return m;
}

/** The first edit of a deferred reply replaces the loading state; the empty placeholder is not an edit. */
function fillDeferred(ctx: EmuContext, req: EmuRequest, m: EmuMessage): EmuMessage {
  m.flags &= ~LOADING;
  const before = m.edits.length;
  editBotMessage(ctx, req, m);
  if (m.edits.length > before && m.edits[m.edits.length - 1] === '') m.edits.pop();
  return m;
}

function editWebhookMessage(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const i = byToken(ctx, req);
  const m = webhookMessage(ctx, req, i);
  if (m.flags & LOADING) fillDeferred(ctx, req, m);
  else editBotMessage(ctx, req, m);
  record(ctx, i, { kind: 'edit', type: 0, data: req.body ?? null, messageId: m.id });
  return { status: 200, body: messageObject(ctx.state, m, false) };
}

function followup(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const i = byToken(ctx, req);
  if (i.callbackType === null) throw unknown('Webhook');
  const original = i.originalMessageId ? ctx.state.messagesById.get(i.originalMessageId) : undefined;
  let m: EmuMessage;
  if (original && original.flags & LOADING) {
    // Discord: the first followup after a deferred reply replaces the "thinking..." message.
    m = fillDeferred(ctx, req, original);
  } else {
    m = createBotMessage(ctx, req, i.channelId, { webhookId: ctx.state.applicationId, interactionId: i.id, type: responseType(i) });
    i.followupIds.push(m.id);
  }
  record(ctx, i, { kind: 'followup', type: 0, data: req.body ?? null, messageId: m.id });
  return req.query.wait === 'false' ? { status: 204 } : { status: 200, body: messageObject(ctx.state, m, false) };
}

function deleteWebhookMessage(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const i = byToken(ctx, req);
  const m = webhookMessage(ctx, req, i);
  publishDelete(ctx, m);
  record(ctx, i, { kind: 'delete', type: 0, data: null, messageId: m.id });
  return { status: 204 };
}

export function interactionRoutes(r: Router): void {
  const W = '/webhooks/{webhook_id}/{webhook_token}';
  const open = { auth: false };
  r.add('POST', '/interactions/{interaction_id}/{interaction_token}/callback', callback, open).add('POST', W, followup, open);
  for (const path of [`${W}/messages/@original`, `${W}/messages/{message_id}`]) {
    r.add(
      'GET',
      path,
      (req, ctx) => ({ status: 200, body: messageObject(ctx.state, webhookMessage(ctx, req, byToken(ctx, req)), false) }),
      open,
    )
      .add('PATCH', path, editWebhookMessage, open)
      .add('DELETE', path, deleteWebhookMessage, open);
  }
}
