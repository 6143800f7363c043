import type { Logger } from 'pino';
import type { ButtonSpec, ChatSurface, IncomingMessage, SentMessage } from '../chat/types.js';
import type { ChatMessage, ChatModel } from '../llm/port.js';
import { isModelUnavailable, LlmError } from '../llm/port.js';
import type { StateStore } from '../state/store.js';
import type { ConversationConfig } from '../config.js';
import { type BoundedQueue, QueueFullError } from './queue.js';
import { isRefusal, REFUSAL_RETRY_NUDGE } from './refusal.js';
import { splitReasoning, visibleDeltas } from './reasoning.js';
import { isCanned } from './canned.js';
import { ReplyOutput, type FinalSend } from './reply-output.js';

export interface DeliverInput {
  config: ConversationConfig;
  model: ChatModel;
  surface: ChatSurface;
  state: StateStore;
  queue: BoundedQueue;
  trigger: IncomingMessage;
  messages: ChatMessage[];
  temperature: number;
  /** Chat model override (e.g. a fine-tuned model chosen at run time). */
  modelName?: string;
  /** Buttons added to the first message once the reply is complete (surfaces that can edit only). */
  buttons?: ButtonSpec[];
  /**
   * Called with the finished reply to capture it. Buttons added by an edit appear after it resolved; a reply sent whole
   * carries its buttons in its one send and is captured as soon as that send is answered. Not for canned texts.
   */
  onComplete?: (reply: DeliveredReply & { messageId: string }) => Promise<void>;
  /**
   * Called right before a send that carries the buttons (users may click before the capture): registers the capture
   * as pending in the channel; the returned function is called once it has ended (captured, failed or not sent).
   */
  beginCapture?: () => () => void;
  /** Aborted when Eos shuts down: a partial reply is then edited with a short note. */
  shutdown?: AbortSignal;
  log: Logger;
}

export interface DeliveredReply {
  /** What users saw, reasoning blocks removed. */
  text: string;
  /** Reasoning blocks of the answer ('' when none). */
  reasoning: string;
  messageId?: string;
  /** Every message the reply was split over. */
  partIds: string[];
  /** A canned text (e.g. the offline model's "not connected"): shown, but no candidate, no buttons, no history. */
  canned: boolean;
}

/**
 * Generates one reply and shows it: streamed with throttled edits where the surface can edit,
 * sent once complete elsewhere. Reasoning blocks are hidden unless `reasoning.show`. Retries once
 * on a refusal. On any failure the user gets a short apology within `replyTimeoutMs`; a reply cut
 * by shutdown is edited with a note. Returns the reply, or null when none was produced.
 */
export async function deliverReply(d: DeliverInput): Promise<DeliveredReply | null> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new LlmError('timeout', 'reply timed out')), d.config.replyTimeoutMs);
  const onShutdown = () => abort.abort(new LlmError('aborted', 'shutting down'));
  if (d.shutdown?.aborted) onShutdown();
  d.shutdown?.addEventListener('abort', onShutdown);
  const out = new ReplyOutput(d);
  const show = d.config.reasoning?.show ?? false;
  let raw = '';
  let captured: Promise<void> | undefined;
  out.finalSend = finalSendOf(
    d,
    () => raw,
    (c) => (captured = c),
  );
  try {
    let streamed = '';
    await d.queue.run(async () => {
      abort.signal.throwIfAborted();
      const deltas = tap(
        d.model.stream(d.messages, {
          temperature: d.temperature,
          maxTokens: d.config.maxReplyTokens,
          signal: abort.signal,
          model: d.modelName,
        }),
        (t) => (raw += t),
      );
      const display = show ? deltas : visibleDeltas(deltas);
      streamed = d.surface.supportsEdits ? await out.stream(display) : await collect(display);
    });
    let { visible: text, reasoning } = splitReasoning(raw);
    if (!text.trim()) throw new LlmError('empty', 'the model returned an empty reply');
    if (d.config.refusalRetry && isRefusal(text)) ({ visible: text, reasoning } = splitReasoning(await retryRefusal(d, raw, abort.signal)));
    const shown = show ? withShownReasoning(text, reasoning) : text;
    if (!d.surface.supportsEdits || out.ids.length === 0 || shown !== streamed) await out.sendAll(shown);
    const reply: DeliveredReply = { text, reasoning, messageId: out.ids[0]?.id, partIds: out.ids.map((m) => m.id), canned: isCanned(text) };
    if (reply.canned) return reply;
    if (captured) {
      await captured;
      return reply;
    }
    const first = out.ids[0];
    if (first && d.onComplete) await d.onComplete({ ...reply, messageId: first.id });
    if (d.buttons?.length && d.surface.supportsEdits)
      await out.addButtons(d.buttons).catch((err: unknown) => d.log.warn({ err }, 'buttons not added'));
    return reply;
  } catch (err) {
    const reason = d.shutdown?.aborted ? 'shutdown' : abort.signal.aborted ? 'timeout' : describe(err);
    d.log.warn({ err, reason }, 'reply failed');
    await out.apologize(reason, out.ids.length > 0);
    return null;
  } finally {
    clearTimeout(timer);
    d.shutdown?.removeEventListener('abort', onShutdown);
  }
}

/**
 * A whole reply in its first and only message carries the buttons in that one send, and its capture starts as soon
 * as the send is answered (no await in between); lookups that come earlier wait for it (beginCapture). Not for
 * canned texts, refusals (the retry may replace them) or text the streamed display does not match.
 */
function finalSendOf(d: DeliverInput, raw: () => string, onCapture: (c: Promise<void>) => void): (streamed: string) => FinalSend | null {
  const show = d.config.reasoning?.show ?? false;
  return (streamed) => {
    if (!d.buttons?.length) return null;
    const { visible: text, reasoning } = splitReasoning(raw());
    const shown = show ? withShownReasoning(text, reasoning) : text;
    if (!text.trim() || isCanned(text) || shown !== streamed || (d.config.refusalRetry && isRefusal(text))) return null;
    const end = d.beginCapture?.() ?? (() => undefined);
    const sent = (m: SentMessage) => {
      const reply = { text, reasoning, messageId: m.id, partIds: [m.id], canned: false };
      const capture = (d.onComplete?.(reply) ?? Promise.resolve()).finally(end);
      capture.catch(() => undefined); // awaited (and its error handled) by deliverReply, after the stream is closed
      onCapture(capture);
    };
    return { buttons: d.buttons, sent, failed: end };
  };
}

/** The shown text when `reasoning.show` is on: the reasoning as a quote above the answer. */
function withShownReasoning(text: string, reasoning: string): string {
  if (!reasoning) return text;
  return `${reasoning
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n')}\n\n${text}`;
}

async function* tap(deltas: AsyncIterable<string>, seen: (t: string) => void): AsyncIterable<string> {
  for await (const t of deltas) {
    seen(t);
    yield t;
  }
}

async function collect(deltas: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const t of deltas) text += t;
  return text;
}

async function retryRefusal(d: DeliverInput, first: string, signal: AbortSignal): Promise<string> {
  d.log.info('refusal detected, retrying once');
  const nudged: ChatMessage[] = [...d.messages, { role: 'system', content: REFUSAL_RETRY_NUDGE }];
  const second = await d.queue.run(() => d.model.complete(nudged, { temperature: d.temperature, signal, model: d.modelName }));
  return second.trim() && !isRefusal(second) ? second : first;
}

function describe(err: unknown): string {
  if (err instanceof QueueFullError) return 'busy';
  if (isModelUnavailable(err)) return 'model';
  if (err instanceof LlmError) return err.kind === 'http' && err.status === 429 ? 'rate-limited' : err.kind;
  return 'error';
}
