import type { Logger } from 'pino';
import type { ButtonSpec, ChatSurface, IncomingMessage, SentMessage } from '../chat/types.js';
import type { StateStore } from '../state/store.js';
import type { ConversationConfig } from '../config.js';
import { StreamingReply } from './stream-editor.js';
import { splitMessage } from './split.js';
import { stripMentions } from './sanitize.js';
import { APOLOGIES, cutOffNote, DEFAULT_APOLOGY, SHUTDOWN_APOLOGY, SHUTDOWN_NOTE } from './canned.js';

/** Discord's 2000 minus room for the zero-width spaces stripMentions may add. */
export const LIMIT = 1900;

/** What the messages of a reply need from deliverReply's input. */
export interface OutputDeps {
  config: ConversationConfig;
  surface: ChatSurface;
  state: StateStore;
  trigger: IncomingMessage;
  log: Logger;
}

/** The one message of a reply sent whole: its buttons, and what to do once it is sent (capture) or not (failed). */
export interface FinalSend {
  buttons: ButtonSpec[];
  sent: (m: SentMessage) => void;
  failed: () => void;
}

/** The messages of one reply: first one replies to the trigger and carries the user's reply prefix. */
export class ReplyOutput {
  readonly ids: SentMessage[] = [];
  /** What the final, only message of a streamed reply carries (null: send it plain, buttons added later). */
  finalSend?: (streamed: string) => FinalSend | null;
  private readonly shown = new Map<string, string>();
  private readonly prefix: string;

  constructor(private readonly d: OutputDeps) {
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
