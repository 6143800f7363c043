import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { ChatSurface, IncomingMessage } from './chat/types.js';
import type { StateStore } from './state/store.js';
import type { Responder } from './conversation/responder.js';
import type { FeedbackService } from './training/feedback.js';
import type { ConversationLog } from './datasets/conversation-log.js';
import type { SpeechToText, TextToSpeech } from './voice/ports.js';
import { lazySpeechToText, lazyTextToSpeech } from './voice/lazy.js';
import { VoiceManager, type VoiceManagerHooks } from './voice/discord/manager.js';
import { createClientVoiceHost } from './voice/discord/host.js';
import { VoiceBridge } from './voice/bridge.js';
import type { AdmissionGate } from './core/gate.js';
import { sendVoiceReply } from './voice/voice-messages.js';

/**
 * Speech engines chosen by EOS_STT_PROVIDER / EOS_TTS_PROVIDER. With `openai` speech-to-text but no
 * endpoint configured at all, Eos falls back to the offline engine and says so in the log. The engines are
 * imported and built on first use (src/voice/lazy.ts): starting Eos does not load them.
 */
export function buildSpeech(config: AppConfig, log: Logger): { stt: SpeechToText; tts: TextToSpeech } {
  const v = config.voice;
  const openai = v.stt ? { baseURL: v.stt.baseURL, apiKey: v.stt.apiKey ?? 'no-key' } : null;
  let provider = v.sttProvider;
  if (provider === 'openai' && !openai) {
    log.warn('EOS_STT_PROVIDER=openai but no OpenAI-compatible endpoint is set: using the offline speech-to-text engine');
    provider = 'offline';
  }
  const sttCfg = { provider, model: v.sttModel, whisperModelPath: v.whisperModelPath, openai };
  const sttPlanned = provider === 'openai' ? `openai:${v.sttModel}` : v.whisperModelPath ? 'offline:whisper.cpp' : 'offline:pocketsphinx';
  const stt = lazySpeechToText(sttPlanned, () => import('./voice/stt/select.js').then((m) => m.createSpeechToText(sttCfg)));
  const ttsOpenai = config.llm ? { baseURL: config.llm.baseURL, apiKey: config.llm.apiKey ?? 'no-key' } : undefined;
  const ttsCfg = { provider: v.ttsProvider, voice: v.ttsVoice, openai: ttsOpenai };
  const ttsPlanned = `${v.ttsProvider}${v.ttsVoice ? `:${v.ttsVoice}` : ''}`;
  const tts = lazyTextToSpeech(ttsPlanned, () => import('./voice/tts/select.js').then((m) => m.createTextToSpeech(ttsCfg)));
  return { stt, tts };
}

export interface VoiceWiringDeps {
  config: AppConfig;
  client: Client;
  speech: { stt: SpeechToText; tts: TextToSpeech };
  responder: Responder;
  surface: ChatSurface;
  state: StateStore;
  feedback: FeedbackService;
  transcript: ConversationLog;
  log: Logger;
  gate?: AdmissionGate;
  tenants?: { run<T>(guildId: string | null, fn: () => T): T };
  /** Each transcribed voice turn of a user (indexed for `!forget me`). */
  onSpoken?: (guildId: string, userId: string, text: string) => void;
}

/** The voice channel side: VoiceManager (state machines + pipelines) bridged to the conversation. */
export function buildVoiceManager(d: VoiceWiringDeps): VoiceManager {
  const bridge = new VoiceBridge({
    responder: d.responder,
    surface: d.surface,
    state: d.state,
    feedback: d.feedback,
    transcript: d.transcript,
    conversation: d.config.bot.conversation,
    voice: d.config.bot.voice,
    log: d.log,
    gate: d.gate,
    tenants: d.tenants,
  });
  const v = d.config.bot.voice;
  return new VoiceManager({
    host: createClientVoiceHost(d.client),
    stt: d.speech.stt,
    tts: d.speech.tts,
    respond: bridge.respond,
    hooks: spokenHooks(bridge.hooks(), d.onSpoken),
    pipeline: { endpoint: { silenceMs: v.silenceMs, maxUtteranceMs: v.maxUtteranceMs } },
    session: { aloneTimeoutMs: v.aloneTimeoutSec * 1000 },
    log: d.log,
  });
}

/** Tells `onSpoken` about every transcribed turn, then runs the bridge's own transcript hook. */
function spokenHooks(hooks: VoiceManagerHooks, onSpoken: VoiceWiringDeps['onSpoken']): VoiceManagerHooks {
  if (!onSpoken) return hooks;
  return {
    ...hooks,
    onTranscript: (ctx, ev) => {
      onSpoken(ctx.guildId, ev.userId, ev.text);
      hooks.onTranscript?.(ctx, ev);
    },
  };
}

/** After a text reply: answer a voice message with a voice message, and speak replies in a joined voice channel. */
export function afterReplyHook(
  config: AppConfig,
  speech: { tts: TextToSpeech },
  surface: ChatSurface,
  voice: () => VoiceManager | null,
): (trigger: IncomingMessage, text: string) => Promise<void> {
  return async (trigger, text) => {
    const v = config.bot.voice;
    if (trigger.fromVoice && v.voiceMessageReplies) {
      await sendVoiceReply(speech.tts, surface, trigger.channelId, trigger.id, text);
    }
    const manager = voice();
    if (v.speakTextReplies && trigger.guildId && manager?.textChannelOf(trigger.guildId) === trigger.channelId) {
      await manager.say(trigger.guildId, text);
    }
  };
}
