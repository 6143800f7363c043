import type { Logger } from 'pino';
import type { ButtonSpec, ChatSurface, IncomingMessage, SentMessage } from '../chat/types.js';
import type { ChatMessage, ChatModel } from '../llm/port.js';
import { isModelUnavailable, LlmError } from '../llm/port.js';
import type { StateStore } from '../state/store.js';
import type { ConversationConfig } from '../config.js';
import { type BoundedQueue, QueueFullError } from './queue.js';
import { StreamingReply } from './stream-editor.js';
import { splitMessage } from './split.js';
import { isRefusal, REFUSAL_RETRY_NUDGE } from './refusal.js';
import { stripMentions } from './sanitize.js';
import { splitReasoning, visibleDeltas } from './reasoning.js';
import { APOLOGIES, cutOffNote, DEFAULT_APOLOGY, isCanned, SHUTDOWN_APOLOGY, SHUTDOWN_NOTE } from './canned.js';

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

/** Discord's 2000 minus room for the zero-width spaces stripMentions may add. */
const LIMIT = 1900;

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
  // A whole reply in its first and only message carries the buttons in that one send, and the capture starts as
  // soon as the send is answered (no await in between); lookups that come earlier wait for it (beginCapture).
  let captured: Promise<void> | undefined;
  out.finalSend = (streamed) => {
    if (!d.buttons?.length) return null;
    const { visible: text, reasoning } = splitReasoning(raw);
    const shown = show ? withShownReasoning(text, reasoning) : text;
    if (!text.trim() || isCanned(text) || shown !== streamed || (d.config.refusalRetry && isRefusal(text))) return null;
    const end = d.beginCapture?.() ?? (() => undefined);
    return {
      buttons: d.buttons,
      failed: end,
      sent: (m) => {
        const capture = (d.onComplete?.({ text, reasoning, messageId: m.id, partIds: [m.id], canned: false }) ?? Promise.resolve()).finally(
          end,
        );
        capture.catch(() => undefined); // awaited (and its error handled) below, after the stream is closed
        captured = capture;
      },
    };
  };
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

/** The one message of a reply sent whole: its buttons, and what to do once it is sent (capture) or not (failed). */
interface FinalSend {
  buttons: ButtonSpec[];
  sent: (m: SentMessage) => void;
  failed: () => void;
}

/** The messages of one reply: first one replies to the trigger and carries the user's reply prefix. */
class ReplyOutput {
  readonly ids: SentMessage[] = [];
  /** What the final, only message of a streamed reply carries (null: send it plain, buttons added later). */
  finalSend?: (streamed: string) => FinalSend | null;
  private readonly shown = new Map<string, string>();
  private readonly prefix: string;

  constructor(private readonly d: DeliverInput) {
    const p = d.state.user(d.trigger.author.id).replyPrefix;
    this.prefix = p ? `${p} ` : '';
  }

  /** Streams the deltas into messages; returns the text shown. */
  async stream(deltas: AsyncIterable<string>): Promise<string> {
    let raw = '';
    const tapped = (async function* () {
      for await (const t of deltas) {
        raw += t;
        yield t;
      }
    })();
    const editor = new StreamingReply({
      intervalMs: this.d.config.streamEditIntervalMs,
      limit: LIMIT - this.prefix.length,
      send: (text, final) => this.send(text, final ? (this.finalSend?.(raw) ?? undefined) : undefined),
      edit: (id, text) => this.edit(id, text),
    });
    await editor.run(tapped);
    return raw;
  }

  /** Shows the full text, replacing what was streamed (used after a refusal retry too). */
  async sendAll(text: string): Promise<void> {
    const parts = splitMessage(text, LIMIT - this.prefix.length);
    for (const [i, part] of parts.entries()) {
      const existing = this.ids[i];
      if (existing) await this.edit(existing.id, part);
      else await this.send(part);
    }
  }

  async addButtons(buttons: ButtonSpec[]): Promise<void> {
    const first = this.ids[0];
    if (!first) return;
    await this.d.surface.edit(this.d.trigger.channelId, first.id, { content: this.shown.get(first.id), buttons });
  }

  async apologize(reason: string, partial: boolean): Promise<void> {
    if (reason === 'shutdown' && partial) return this.noteShutdown();
    const text = reason === 'shutdown' ? SHUTDOWN_APOLOGY : partial ? cutOffNote(reason) : (APOLOGIES[reason] ?? DEFAULT_APOLOGY);
    await this.d.surface
      .send(this.d.trigger.channelId, { content: text, replyTo: this.d.trigger.id })
      .catch((err: unknown) => this.d.log.error({ err }, 'apology failed'));
  }

  /** Edits the last part shown with the shutdown note (a new message when it would not fit). */
  private async noteShutdown(): Promise<void> {
    const last = this.ids.at(-1);
    const shown = last ? this.shown.get(last.id) : undefined;
    try {
      if (last && shown !== undefined && shown.length + SHUTDOWN_NOTE.length + 2 <= 2000) {
        await this.d.surface.edit(this.d.trigger.channelId, last.id, { content: `${shown}\n\n${SHUTDOWN_NOTE}` });
      } else {
        await this.d.surface.send(this.d.trigger.channelId, { content: SHUTDOWN_NOTE, replyTo: this.d.trigger.id });
      }
    } catch (err) {
      this.d.log.warn({ err }, 'shutdown note failed');
    }
  }

  private async send(text: string, extra?: FinalSend): Promise<{ id: string }> {
    const first = this.ids.length === 0;
    const content = stripMentions(first ? this.prefix + text : text);
    const replyTo = first ? this.d.trigger.id : undefined;
    let sent: SentMessage;
    try {
      sent = await this.d.surface.send(
        this.d.trigger.channelId,
        extra ? { content, replyTo, buttons: extra.buttons } : { content, replyTo },
      );
    } catch (err) {
      extra?.failed();
      throw err;
    }
    this.ids.push(sent);
    this.shown.set(sent.id, content);
    extra?.sent(sent);
    return sent;
  }

  private async edit(id: string, text: string): Promise<void> {
    const first = this.ids[0]?.id === id;
    const content = stripMentions(first ? this.prefix + text : text);
    this.shown.set(id, content);
    await this.d.surface.edit(this.d.trigger.channelId, id, { content });
  }
}
