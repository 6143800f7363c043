import type { Logger } from 'pino';
import type { ChatSurface, IncomingMessage } from '../chat/types.js';
import type { ChatMessage, ChatModel } from '../llm/port.js';
import type { StateStore } from '../state/store.js';
import type { ConversationConfig } from '../config.js';
import type { ExampleMemory } from '../memory/examples.js';
import { fewShotMessages } from '../memory/few-shot.js';
import type { ChannelHistories } from './history.js';
import { buildChatMessages, renderSystemPrompt } from './prompt.js';
import { buildStyleNote } from './style.js';
import { type BoundedQueue } from './queue.js';
import { parseReactionChoice, REACTION_PROMPT } from './reactions.js';
import { deliverReply } from './deliver.js';
import { throughQueue } from './queue-stream.js';
import { splitReasoning, visibleDeltas } from './reasoning.js';
import { isCanned } from './canned.js';
import type { ButtonSpec } from '../chat/types.js';

/** Called with every completed reply (the datasets keep it as a candidate for feedback). */
export type ReplyCapture = (r: {
  messageId: string;
  channelId: string;
  guildId: string | null;
  context: ChatMessage[];
  reply: string;
  /** Message ID behind each context turn (null for the system prompt). */
  contextIds: (string | null)[];
  /** Every message the reply was split over. */
  partIds: string[];
  /** Only when `reasoning.train` is on. */
  reasoning?: string;
}) => Promise<void>;

export const FEEDBACK_BUTTONS: ButtonSpec[] = [
  { customId: 'eos:fb:up', emoji: '👍', style: 'secondary' },
  { customId: 'eos:fb:down', emoji: '👎', style: 'secondary' },
];

export interface ResponderDeps {
  config: ConversationConfig;
  botName: string;
  model: ChatModel;
  surface: ChatSurface;
  state: StateStore;
  histories: ChannelHistories;
  queue: BoundedQueue;
  memory?: ExampleMemory;
  /** Stored examples given as few-shot (0 = none). */
  fewShot?: number;
  capture?: ReplyCapture;
  /** Marks a capture as pending in a channel until the returned function is called (FeedbackService.beginCapture). */
  beginCapture?: (channelId: string) => () => void;
  /** Called after a text reply was shown (voice-message replies, speaking replies in a joined voice channel). */
  afterReply?: (trigger: IncomingMessage, text: string) => Promise<void>;
  log: Logger;
  now?: () => Date;
}

const TYPING_EVERY_MS = 8_000;
/** A reply whose first message comes sooner shows no typing indicator (Discord shows the message itself). */
const TYPING_DELAY_MS = 800;
const STOP_WAIT_MS = 5_000;

/** Turns a channel's history into one LLM reply, streamed into Discord. */
export class Responder {
  private readonly stopping = new AbortController();
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly deps: ResponderDeps) {}

  async respond(trigger: IncomingMessage, temperature: number): Promise<void> {
    const job = this.reply(trigger, temperature);
    this.inflight.add(job);
    try {
      await job;
    } finally {
      this.inflight.delete(job);
    }
  }

  /** Shutdown: replies in flight are cut, their shown part edited with a note; waits (bounded) for that. */
  async stop(): Promise<void> {
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
    await Promise.race([Promise.allSettled([...this.inflight]), limit]);
    clearTimeout(timer);
  }

  private async reply(trigger: IncomingMessage, temperature: number): Promise<void> {
    const { log, config } = this.deps;
    const typing = this.keepTyping(trigger.channelId);
    const begin = this.deps.beginCapture;
    try {
      const { messages, context, contextIds } = await this.prompt(trigger);
      const reply = await deliverReply({
        ...this.deps,
        trigger,
        messages,
        temperature,
        log,
        shutdown: this.stopping.signal,
        modelName: this.deps.state.training().chatModel,
        buttons: config.feedbackButtons && this.deps.capture ? FEEDBACK_BUTTONS : undefined,
        beginCapture: begin && (() => begin(trigger.channelId)),
        onComplete: async ({ text, messageId, partIds, reasoning }) => {
          const kept = config.reasoning?.train && reasoning ? { reasoning } : {};
          await this.deps.capture?.({
            messageId,
            channelId: trigger.channelId,
            guildId: trigger.guildId,
            context,
            contextIds,
            partIds,
            reply: text,
            ...kept,
          });
        },
      });
      if (reply && this.deps.afterReply) {
        await this.deps.afterReply(trigger, reply.text).catch((err: unknown) => log.warn({ err }, 'after-reply step failed'));
      }
      // Canned texts (e.g. "not connected to a language model") are shown but are no conversation.
      if (reply && !reply.canned) {
        // Placed right after the message it answers, so later turns read Q1, A1, Q2, Q3 even when Q2 and Q3 arrived mid-stream.
        this.deps.histories.append(trigger.channelId, {
          role: 'assistant',
          speaker: this.deps.botName,
          content: reply.text,
          at: trigger.createdAt.getTime() + 1,
          messageId: reply.messageId,
        });
      }
    } finally {
      typing.stop();
    }
  }

  async maybeReact(msg: IncomingMessage, probability: number, random: () => number): Promise<void> {
    if (probability <= 0 || random() >= probability) return;
    try {
      const answer = await this.deps.queue.run(() =>
        this.deps.model.complete(REACTION_PROMPT(msg.cleanContent), { maxTokens: 16, temperature: 0.7 }),
      );
      const emoji = parseReactionChoice(answer);
      if (emoji) await this.deps.surface.react(msg.channelId, msg.id, emoji);
    } catch (err) {
      this.deps.log.debug({ err }, 'reaction skipped');
    }
  }

  /**
   * Streams a reply for a turn that arrives outside a text message (a voice utterance): the turn
   * joins the channel's history, the reply is produced through the global queue, and the reply
   * joins the history when it ends. `onDone` gets what a dataset record needs.
   */
  async *streamTurn(
    trigger: IncomingMessage,
    opts: { signal: AbortSignal; temperature: number; onDone?: (r: { context: ChatMessage[]; text: string }) => void },
  ): AsyncIterable<string> {
    const { histories, model, queue, config, botName } = this.deps;
    histories.append(trigger.channelId, {
      role: 'user',
      speaker: trigger.author.displayName,
      content: trigger.cleanContent,
      at: trigger.createdAt.getTime(),
    });
    const { messages, context } = await this.prompt(trigger);
    let raw = '';
    const stream = model.stream(messages, {
      temperature: opts.temperature,
      maxTokens: config.maxReplyTokens,
      signal: opts.signal,
      model: this.deps.state.training().chatModel,
    });
    const tapped = (async function* () {
      for await (const delta of throughQueue(queue, stream)) {
        raw += delta;
        yield delta;
      }
    })();
    // Reasoning is never spoken.
    for await (const delta of visibleDeltas(tapped)) yield delta;
    const text = splitReasoning(raw).visible;
    if (!text.trim() || isCanned(text)) return;
    histories.append(trigger.channelId, { role: 'assistant', speaker: botName, content: text, at: trigger.createdAt.getTime() + 1 });
    opts.onDone?.({ context, text });
  }

  /**
   * The full prompt, and the context kept for datasets (the same without retrieved few-shot
   * examples) with the message ID behind each of its turns.
   */
  private async prompt(
    trigger: IncomingMessage,
  ): Promise<{ messages: ChatMessage[]; context: ChatMessage[]; contextIds: (string | null)[] }> {
    const { config, histories, botName } = this.deps;
    const history = histories.get(trigger.channelId).filter((h) => h.content.trim() !== '');
    const recentByUser = history.filter((h) => h.role === 'user' && h.speaker === trigger.author.displayName).map((h) => h.content);
    const system = renderSystemPrompt(config.systemPrompt, {
      botName,
      userName: trigger.author.displayName,
      server: trigger.guildName ?? 'Direct messages',
      channel: trigger.channelName ?? (trigger.isDM ? 'DM' : trigger.channelId),
      time: (this.deps.now ?? (() => new Date()))(),
      styleNote: config.styleNotes ? (buildStyleNote(trigger.author.displayName, recentByUser.slice(-20)) ?? undefined) : undefined,
    });
    const fewShot = await this.fewShot(trigger.cleanContent);
    const context = buildChatMessages({ system, history });
    const contextIds = [...(context.length > history.length ? [null] : []), ...history.map((h) => h.messageId ?? null)];
    return { messages: buildChatMessages({ system, history, fewShot }), context, contextIds };
  }

  private async fewShot(query: string): Promise<ChatMessage[]> {
    const k = this.deps.fewShot ?? 3;
    if (!this.deps.memory || k <= 0) return [];
    try {
      return await fewShotMessages(this.deps.memory, query, k);
    } catch (err) {
      this.deps.log.warn({ err }, 'example retrieval failed');
      return [];
    }
  }

  /**
   * The typing indicator only when the answer is slow to come: first after TYPING_DELAY_MS, then every
   * TYPING_EVERY_MS until the reply is done. A fast reply costs no typing request (one REST call instead of two).
   */
  private keepTyping(channelId: string): { stop(): void } {
    const send = () => void this.deps.surface.typing(channelId).catch(() => undefined);
    let repeat: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      send();
      repeat = setInterval(send, TYPING_EVERY_MS);
    }, TYPING_DELAY_MS);
    return {
      stop: () => {
        clearTimeout(first);
        clearInterval(repeat);
      },
    };
  }
}
