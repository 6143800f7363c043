import type { Logger } from 'pino';
import type { ButtonSpec, ChatSurface, IncomingMessage, SentMessage } from '../chat/types.js';
import type { ChatMessage, ChatModel } from '../llm/port.js';
import { LlmError } from '../llm/port.js';
import type { StateStore } from '../state/store.js';
import type { ConversationConfig } from '../config.js';
import { BoundedQueue, QueueFullError } from './queue.js';
import { StreamingReply } from './stream-editor.js';
import { splitMessage } from './split.js';
import { isRefusal, REFUSAL_RETRY_NUDGE } from './refusal.js';
import { stripMentions } from './sanitize.js';

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
  /** Called with the finished reply before its buttons appear (so a click always finds it captured). */
  onComplete?: (reply: { text: string; messageId: string }) => Promise<void>;
  log: Logger;
}

/** Discord's 2000 minus room for the zero-width spaces stripMentions may add. */
const LIMIT = 1900;

/**
 * Generates one reply and shows it: streamed with throttled edits where the surface can edit,
 * sent once complete elsewhere. Retries once on a refusal. On any failure the user gets a short
 * apology within `replyTimeoutMs`. Returns the reply text and its first message's id, or null when none was produced.
 */
export async function deliverReply(d: DeliverInput): Promise<{ text: string; messageId?: string } | null> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new LlmError('timeout', 'reply timed out')), d.config.replyTimeoutMs);
  const out = new ReplyOutput(d);
  let raw = '';
  try {
    await d.queue.run(async () => {
      const deltas = d.model.stream(d.messages, {
        temperature: d.temperature, maxTokens: d.config.maxReplyTokens, signal: abort.signal, model: d.modelName,
      });
      raw = d.surface.supportsEdits ? await out.stream(deltas) : await collect(deltas);
    });
    if (!raw.trim()) throw new LlmError('empty', 'the model returned an empty reply');
    const streamed = raw;
    if (d.config.refusalRetry && isRefusal(raw)) raw = await retryRefusal(d, raw, abort.signal);
    if (!d.surface.supportsEdits || out.ids.length === 0 || raw !== streamed) await out.sendAll(raw);
    const first = out.ids[0];
    if (first && d.onComplete) await d.onComplete({ text: raw, messageId: first.id });
    if (d.buttons?.length && d.surface.supportsEdits) await out.addButtons(d.buttons).catch((err: unknown) => d.log.warn({ err }, 'buttons not added'));
    return { text: raw, messageId: out.ids[0]?.id };
  } catch (err) {
    const reason = abort.signal.aborted ? 'timeout' : describe(err);
    d.log.warn({ err, reason }, 'reply failed');
    await out.apologize(reason, out.ids.length > 0);
    return null;
  } finally {
    clearTimeout(timer);
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
  if (err instanceof LlmError) return err.kind === 'http' && err.status === 429 ? 'rate-limited' : err.kind;
  return 'error';
}

const APOLOGIES: Record<string, string> = {
  timeout: 'Sorry, the language model took too long to answer. Please try again.',
  busy: "Sorry, I'm handling too many requests right now. Please try again in a moment.",
  'rate-limited': 'Sorry, the language model is rate-limiting me. Please try again in a moment.',
  empty: 'Sorry, the language model returned an empty reply. Please try again.',
  /** Not an LLM failure (e.g. Discord kept refusing the message): don't blame the model. */
  error: 'Sorry, something went wrong while sending my reply. Please try again.',
};

/** The messages of one reply: first one replies to the trigger and carries the user's reply prefix. */
class ReplyOutput {
  readonly ids: SentMessage[] = [];
  private readonly shown = new Map<string, string>();
  private readonly prefix: string;

  constructor(private readonly d: DeliverInput) {
    const p = d.state.user(d.trigger.author.id).replyPrefix;
    this.prefix = p ? `${p} ` : '';
  }

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
      send: (text) => this.send(text),
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
    const cause = reason === 'error' ? 'sending it failed' : 'the connection to the language model failed';
    const text = partial
      ? `(My reply was cut off: ${cause}.)`
      : (APOLOGIES[reason] ?? "Sorry, I couldn't reach the language model just now. Please try again.");
    await this.d.surface
      .send(this.d.trigger.channelId, { content: text, replyTo: this.d.trigger.id })
      .catch((err: unknown) => this.d.log.error({ err }, 'apology failed'));
  }

  private async send(text: string): Promise<{ id: string }> {
    const first = this.ids.length === 0;
    const content = stripMentions(first ? this.prefix + text : text);
    const sent = await this.d.surface.send(this.d.trigger.channelId, { content, replyTo: first ? this.d.trigger.id : undefined });
    this.ids.push(sent);
    this.shown.set(sent.id, content);
    return sent;
  }

  private async edit(id: string, text: string): Promise<void> {
    const first = this.ids[0]?.id === id;
    const content = stripMentions(first ? this.prefix + text : text);
    this.shown.set(id, content);
    await this.d.surface.edit(this.d.trigger.channelId, id, { content });
  }
}
