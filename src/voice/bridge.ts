import type { Logger } from 'pino';
import type { ChatSurface, IncomingMessage } from '../chat/types.js';
import type { Responder } from '../conversation/responder.js';
import { FEEDBACK_BUTTONS } from '../conversation/responder.js';
import type { ChatMessage } from '../llm/port.js';
import type { StateStore } from '../state/store.js';
import type { ConversationConfig, VoiceBehaviour } from '../config.js';
import type { FeedbackService } from '../training/feedback.js';
import type { ConversationLog } from '../datasets/conversation-log.js';
import type { VoiceContext, VoiceManagerHooks, VoiceTurn } from './discord/manager.js';
import { splitMessage } from '../conversation/split.js';
import { stripMentions } from '../conversation/sanitize.js';
import type { AdmissionGate } from '../core/gate.js';

export interface VoiceBridgeDeps {
  responder: Responder;
  surface: ChatSurface;
  state: StateStore;
  feedback: FeedbackService;
  transcript: ConversationLog;
  conversation: ConversationConfig;
  voice: VoiceBehaviour;
  log: Logger;
  /** The admission gate: voice turns pass the same block/allow lists, opt-out and rate limit as text. */
  gate?: AdmissionGate;
  /** Runs each turn as its server's tenant (its few-shot examples). */
  tenants?: { run<T>(guildId: string | null, fn: () => T): T };
}

/**
 * Joins a voice channel's turns to the conversation of its linked text channel: utterances become
 * user turns (speaker's display name), replies stream from the same model and history, and both
 * are posted to the text channel and captured for the datasets like text turns.
 */
export class VoiceBridge {
  private readonly pending = new Map<string, { context: ChatMessage[]; text: string }>();

  constructor(private readonly deps: VoiceBridgeDeps) {}

  respond = (turn: VoiceTurn, opts: { signal: AbortSignal }): AsyncIterable<string> => {
    const verdict = this.deps.gate?.admit(voiceActor(turn.guildId, turn.textChannelId, turn.userId), 'voice', { warn: true });
    if (verdict && !verdict.ok) {
      this.deps.log.info({ guild: turn.guildId, reason: verdict.reason }, 'voice turn not admitted');
      if (verdict.notify && verdict.reason === 'rate')
        void this.deps.surface.send(turn.textChannelId, { content: verdict.message }).catch(() => undefined);
      return (async function* () {})();
    }
    const temperature = this.deps.state.channel(turn.textChannelId).temperature ?? this.deps.conversation.temperature;
    const stream = () =>
      this.deps.responder.streamTurn(voiceTurnMessage(turn), {
        signal: opts.signal,
        temperature,
        onDone: (r) => this.pending.set(key(turn.guildId, turn.userId, turn.text), r),
      });
    const tenants = this.deps.tenants;
    return tenants ? inTenant(tenants, turn.guildId, stream) : stream();
  };

  hooks(): VoiceManagerHooks {
    return {
      onTranscript: (ctx, ev) => {
        // A blocked or opted-out speaker's words are neither posted nor logged.
        if (this.deps.gate && !this.deps.gate.visible(voiceActor(ctx.guildId, ctx.textChannelId, ev.userId))) return;
        void this.onTranscript(ctx, ev.speaker, ev.text);
      },
      onReply: (ctx, ev) => void this.onReply(ctx, ev.text, ev.interrupted, ev.inReplyTo),
      onError: (ctx, ev) => this.deps.log.warn({ guild: ctx.guildId, stage: ev.stage, err: ev.error }, 'voice stage failed'),
    };
  }

  private async onTranscript(ctx: VoiceContext, speaker: string, text: string): Promise<void> {
    const { surface, transcript, voice, log } = this.deps;
    try {
      await transcript.append({
        guildId: ctx.guildId,
        channelId: ctx.textChannelId,
        role: 'user',
        content: text,
        timestamp: new Date().toISOString(),
        speaker,
      });
      if (voice.postTranscripts)
        await surface.send(ctx.textChannelId, { content: stripMentions(`🎙️ **${speaker}**: ${text}`).slice(0, 2000) });
    } catch (err) {
      log.warn({ err }, 'voice transcript not posted');
    }
  }

  private async onReply(ctx: VoiceContext, text: string, interrupted: boolean, to: { userId: string; text: string }): Promise<void> {
    const { surface, feedback, transcript, voice, log } = this.deps;
    const done = this.pending.get(key(ctx.guildId, to.userId, to.text));
    this.pending.delete(key(ctx.guildId, to.userId, to.text));
    if (!text.trim()) return;
    try {
      await transcript.append({
        guildId: ctx.guildId,
        channelId: ctx.textChannelId,
        role: 'assistant',
        content: text,
        timestamp: new Date().toISOString(),
      });
      if (!voice.postTranscripts) return;
      const parts = splitMessage(stripMentions(`🔊 ${text}${interrupted ? ' …(interrupted)' : ''}`));
      const capture = !interrupted && done !== undefined;
      // Users may click the buttons before the send is answered: ratings in this channel wait for this capture.
      const captured = capture ? feedback.beginCapture(ctx.textChannelId) : undefined;
      try {
        for (const [i, part] of parts.entries()) {
          const sent = await surface.send(ctx.textChannelId, { content: part, buttons: i === 0 && capture ? FEEDBACK_BUTTONS : undefined });
          if (i === 0 && capture) {
            const save = () =>
              feedback.capture({ messageId: sent.id, channelId: ctx.textChannelId, context: done.context, reply: done.text });
            // As the server's tenant: its candidate goes to the server's own journal (guilds/<id>/candidates.jsonl).
            await (this.deps.tenants ? this.deps.tenants.run(ctx.guildId, save) : save());
          }
          if (i === 0) captured?.();
        }
      } finally {
        captured?.();
      }
    } catch (err) {
      log.warn({ err }, 'voice reply not posted');
    }
  }
}

/** Each step of the reply stream runs as the turn's server (AsyncLocalStorage follows the calls made inside). */
function inTenant(
  tenants: NonNullable<VoiceBridgeDeps['tenants']>,
  guildId: string,
  make: () => AsyncIterable<string>,
): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]() {
      const inner = tenants.run(guildId, () => make()[Symbol.asyncIterator]());
      return {
        next: () => tenants.run(guildId, () => inner.next()),
        return: (v?: unknown) =>
          tenants.run(guildId, () => inner.return?.(v) ?? Promise.resolve({ done: true as const, value: undefined })),
      };
    },
  };
}

/** Voice events carry no member roles: user-level lists apply (role entries need a text message). */
const voiceActor = (guildId: string, channelId: string, userId: string) => ({
  userId,
  roleIds: [],
  guildAdmin: false,
  guildId,
  channelId,
  isDM: false,
});

const key = (guildId: string, userId: string, text: string) => `${guildId}\u0000${userId}\u0000${text}`;

/** A voice turn as the IncomingMessage the conversation understands. */
export function voiceTurnMessage(turn: VoiceTurn): IncomingMessage {
  return {
    id: `voice-${Date.now()}-${turn.userId}`,
    channelId: turn.textChannelId,
    guildId: turn.guildId,
    isDM: false,
    author: { id: turn.userId, username: turn.speaker, displayName: turn.speaker, bot: false },
    roleIds: [],
    authorIsGuildAdmin: false,
    content: turn.text,
    cleanContent: turn.text,
    mentionsBot: true,
    replyToBot: false,
    attachments: [],
    authorVoiceChannelId: turn.voiceChannelId,
    fromVoice: true,
    createdAt: new Date(),
  };
}
