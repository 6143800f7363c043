import type { Logger } from 'pino';
import type { ChatSurface, IncomingMessage } from '../chat/types.js';
import type { AccessPolicy } from '../core/access.js';
import type { MessageListener } from '../core/router.js';
import type { StateStore } from '../state/store.js';
import type { ConversationConfig } from '../config.js';
import { type ChannelHistories, type HistoryEntry } from './history.js';
import { decideReply } from './triggers.js';
import { ChannelGate } from './gate.js';
import type { Responder } from './responder.js';
import type { ConversationLog } from '../datasets/conversation-log.js';
import { rateLimitNotice, UserRateLimiter } from './rate-limit.js';

export interface ConversationDeps {
  config: ConversationConfig;
  state: StateStore;
  surface: ChatSurface;
  access: AccessPolicy;
  responder: Responder;
  histories: ChannelHistories;
  /** conversations/{guild}_{channel}.jsonl: every user turn and reply (EosBot's OpenPipe log). */
  transcript?: ConversationLog;
  log: Logger;
  random?: () => number;
  /** Clock of the per-user rate limit (ms); default Date.now. */
  now?: () => number;
  /** The admission gate's per-user limiter (commands and replies share one budget); default: a private one. */
  limiter?: UserRateLimiter;
  /** Backfilled messages whose author may not be seen (blocked, opted out) stay out of history. */
  admitHistory?: (msg: IncomingMessage) => boolean;
  /**
   * The bot's conversational replies (FeedbackService): the history text of a bot message, null to
   * leave it out, undefined when it is no conversational reply. Without it, backfill skips the bot's messages.
   */
  replies?: { historyText(messageId: string): string | null | undefined };
  /** The command prefix of a guild (backfilled commands stay out of history); default "!". */
  prefix?: (guildId: string | null) => string;
}

const COMMAND_WORD = /^[a-z][\w-]{0,31}(?=\s|$)/i;

/** Reasons where the user addressed Eos on purpose (they get told why when it does not answer). */
const DIRECT = new Set(['dm', 'mention', 'reply', 'trigger']);

/**
 * Watches every non-command message: keeps per-channel history (backfilled on first sight),
 * decides whether to answer, and runs at most one generation per channel at a time.
 */
export class ConversationService implements MessageListener {
  private readonly gate: ChannelGate;
  private readonly sinceReply = new Map<string, number>();
  private readonly latest = new Map<string, IncomingMessage>();
  private readonly random: () => number;
  private readonly limiter: UserRateLimiter;

  constructor(private readonly deps: ConversationDeps) {
    this.random = deps.random ?? Math.random;
    this.limiter = deps.limiter ?? new UserRateLimiter(deps.config.userRateLimit, deps.now);
    this.gate = new ChannelGate({ onError: (err, channel) => deps.log.error({ err, channel }, 'reply job failed') });
  }

  async onMessage(msg: IncomingMessage): Promise<void> {
    const { surface, histories } = this.deps;
    if (!histories.has(msg.channelId)) await this.backfill(msg);
    // The bot's own live messages are recorded by the responder (with their final text); others' bots are ignored.
    if (msg.author.bot) return;
    if (msg.cleanContent.trim()) histories.append(msg.channelId, this.entry(msg, 'user'));
    this.record(msg);
    const since = (this.sinceReply.get(msg.channelId) ?? 0) + 1;
    this.sinceReply.set(msg.channelId, since);
    const decision = this.decide(msg, since);
    if (decision.reply && this.permitted(msg, decision.reason)) {
      if (this.admitted(msg, decision.reason)) await this.startReply(msg);
      return;
    }
    this.react(msg);
  }

  /** The per-user rate limit, checked before any LLM call: one short notice when over, then silence. */
  private admitted(msg: IncomingMessage, reason: string): boolean {
    const direct = DIRECT.has(reason);
    const verdict = this.limiter.take(msg.author.id, { warn: direct });
    if (verdict.allowed) return true;
    this.deps.log.info({ channel: msg.channelId, reason, notified: verdict.notify }, 'user over the rate limit');
    if (verdict.notify) {
      this.deps.surface.send(msg.channelId, { content: rateLimitNotice(verdict.retryAfterSec), replyTo: msg.id }).catch((err: unknown) => {
        this.deps.log.warn({ err }, 'rate-limit notice failed');
      });
    }
    return false;
  }

  /** An emoji reaction chosen by the LLM, at the channel's probability and within the user's rate limit. */
  private react(msg: IncomingMessage): void {
    const probability = this.setting(msg.channelId, 'reactionProbability');
    if (probability <= 0) return;
    const draw = this.random();
    if (draw >= probability) return;
    if (!this.limiter.take(msg.author.id, { warn: false }).allowed) return;
    void this.deps.responder.maybeReact(msg, probability, () => draw);
  }

  private decide(msg: IncomingMessage, since: number) {
    const c = this.deps.config;
    return decideReply({
      isDM: msg.isDM,
      mentionsBot: msg.mentionsBot,
      replyToBot: msg.replyToBot,
      content: msg.cleanContent,
      triggerWords: c.triggerWords,
      replyProbability: this.setting(msg.channelId, 'replyProbability'),
      replyEveryN: c.replyEveryN,
      messagesSinceLastReply: since,
      random: this.random,
    });
  }

  /** Denied users and channels get a short reply when they addressed Eos directly; silence otherwise. */
  private permitted(msg: IncomingMessage, reason: string): boolean {
    const { access, surface } = this.deps;
    const principal = { userId: msg.author.id, roleIds: msg.roleIds, guildAdmin: msg.authorIsGuildAdmin };
    const decision = access.canUse(principal);
    const direct = reason === 'dm' || reason === 'mention' || reason === 'reply';
    let denial: string | null = null;
    if (!decision.ok) denial = decision.message;
    else if (!access.channelAllowed(msg.channelId, msg.isDM)) denial = "Eos isn't enabled in this channel.";
    if (denial === null) return true;
    if (direct) {
      surface.send(msg.channelId, { content: denial, replyTo: msg.id }).catch((err: unknown) => {
        this.deps.log.warn({ err }, 'denial reply failed');
      });
    }
    return false;
  }

  private async startReply(msg: IncomingMessage): Promise<void> {
    this.latest.set(msg.channelId, msg);
    await this.gate.run(msg.channelId, async () => {
      const trigger = this.latest.get(msg.channelId) ?? msg;
      this.sinceReply.set(msg.channelId, 0);
      const temperature = this.setting(msg.channelId, 'temperature');
      await this.deps.responder.respond(trigger, temperature);
    });
  }

  private setting(channelId: string, key: 'temperature' | 'replyProbability' | 'reactionProbability'): number {
    return this.deps.state.channel(channelId)[key] ?? this.deps.config[key];
  }

  private async backfill(msg: IncomingMessage): Promise<void> {
    const { config, surface, histories, log } = this.deps;
    if (config.backfill <= 0) return;
    try {
      const recent = await surface.fetchRecent(msg.channelId, config.backfill, msg.id);
      for (const m of recent) {
        const entry = this.backfilled(m, surface.botUser().id);
        if (entry) histories.append(m.channelId, entry);
      }
    } catch (err) {
      log.warn({ err, channel: msg.channelId }, 'history backfill failed');
    }
  }

  /**
   * The history entry of a fetched message, or null when it is no conversation: other bots, the
   * bot's messages that are not conversational replies (command replies, apologies, notes, embeds),
   * commands (the router's rule: prefix + command word), empty and embed-only messages.
   */
  private backfilled(m: IncomingMessage, botId: string): HistoryEntry | null {
    if (m.author.bot) {
      if (m.author.id !== botId) return null;
      const text = this.deps.replies?.historyText(m.id);
      return text ? { ...this.entry(m, 'assistant'), content: text } : null;
    }
    if (!m.cleanContent.trim() || (this.deps.admitHistory && !this.deps.admitHistory(m))) return null;
    const prefix = this.deps.prefix?.(m.guildId) ?? '!';
    if (m.content.startsWith(prefix) && COMMAND_WORD.test(m.content.slice(prefix.length))) return null;
    return this.entry(m, 'user');
  }

  private record(msg: IncomingMessage): void {
    const { transcript, log } = this.deps;
    if (!transcript || !msg.cleanContent.trim()) return;
    transcript
      .append({
        guildId: msg.guildId,
        channelId: msg.channelId,
        role: 'user',
        content: msg.cleanContent,
        timestamp: msg.createdAt.toISOString(),
        speaker: msg.author.displayName,
      })
      .catch((err: unknown) => log.warn({ err }, 'conversation log append failed'));
  }

  private entry(msg: IncomingMessage, role: 'user' | 'assistant'): HistoryEntry {
    return { role, speaker: msg.author.displayName, content: msg.cleanContent, at: msg.createdAt.getTime(), messageId: msg.id };
  }
}
