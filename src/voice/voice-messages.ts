import type { Logger } from 'pino';
import type { AttachmentRef, ChatSurface, IncomingMessage } from '../chat/types.js';
import type { MessageListener } from '../core/router.js';
import type { AccessPolicy } from '../core/access.js';
import { SpeechError, type SpeechToText, type TextToSpeech } from './ports.js';
import { readAttachmentBytes } from '../chat/attachments.js';

/** The audio code (ffmpeg, resampler, waveform): imported with the first voice message, not at start. */
const audioCode = () =>
  Promise.all([import('./audio/ffmpeg.js'), import('./audio/waveform.js'), import('./audio/resample.js')]).then(
    ([ffmpeg, waveform, resample]) => ({ ...ffmpeg, ...waveform, ...resample }),
  );

export const IS_VOICE_MESSAGE = 8192;
const AUDIO_NAME = /\.(ogg|oga|opus|mp3|wav|m4a|webm|flac)$/i;
const MAX_AUDIO_BYTES = 10 * 1024 * 1024;

export function audioAttachment(msg: IncomingMessage): AttachmentRef | undefined {
  const voice = ((msg.flags ?? 0) & IS_VOICE_MESSAGE) !== 0;
  return msg.attachments.find((a) => voice || a.contentType?.startsWith('audio/') || AUDIO_NAME.test(a.name));
}

/**
 * Transcribes voice messages and audio attachments, then hands the message on as if the
 * transcript had been typed to Eos (it is always answered).
 */
export class VoiceMessageListener implements MessageListener {
  constructor(
    private readonly inner: MessageListener,
    private readonly deps: { stt: SpeechToText; surface: ChatSurface; access: AccessPolicy; log: Logger },
  ) {}

  async onMessage(msg: IncomingMessage): Promise<void> {
    const audio = msg.author.bot ? undefined : audioAttachment(msg);
    if (!audio || !this.allowed(msg)) return this.inner.onMessage(audio ? { ...msg, mentionsBot: true } : msg);
    const say = (content: string) => this.deps.surface.send(msg.channelId, { content, replyTo: msg.id });
    let text: string;
    try {
      const bytes = await readAttachmentBytes(audio, { maxBytes: MAX_AUDIO_BYTES });
      const { decodeToPcm } = await audioCode();
      const pcm = await decodeToPcm(bytes, { sampleRate: 16_000, channels: 1 });
      text = (await this.deps.stt.transcribe(pcm)).trim();
    } catch (err) {
      this.deps.log.warn({ err, file: audio.name }, 'voice message not transcribed');
      await say(sttModelUnavailable(err) ? STT_MODEL_UNAVAILABLE : "Sorry, I couldn't transcribe that audio.");
      return;
    }
    if (!text) {
      await say("I couldn't hear any words in that audio.");
      return;
    }
    await say(`🎙️ “${text.slice(0, 1900)}”`);
    await this.inner.onMessage({ ...msg, content: text, cleanContent: text, mentionsBot: true, fromVoice: true });
  }

  private allowed(msg: IncomingMessage): boolean {
    const { access } = this.deps;
    const ok = access.canUse({ userId: msg.author.id, roleIds: msg.roleIds, guildAdmin: msg.authorIsGuildAdmin }).ok;
    return ok && access.channelAllowed(msg.channelId, msg.isDM);
  }
}

/** Synthesizes `text` and sends it as a Discord voice message replying to `replyTo`. */
export async function sendVoiceReply(
  tts: TextToSpeech,
  surface: ChatSurface,
  channelId: string,
  replyTo: string,
  text: string,
): Promise<void> {
  const speech = await tts.synthesize(text);
  const { convertPcm, encodeOggOpus, durationSecs, voiceMessageWaveform } = await audioCode();
  const mono48k = convertPcm(speech, { sampleRate: 48_000, channels: 1 });
  const data = await encodeOggOpus(mono48k);
  await surface.send(channelId, { replyTo, voice: { data, durationSecs: durationSecs(mono48k), waveform: voiceMessageWaveform(mono48k) } });
}

/** The transcription endpoint does not serve EOS_STT_MODEL (OpenAI: 404 model_not_found; retired or unknown). */
export const STT_MODEL_UNAVAILABLE =
  'Sorry, the speech-to-text model is unavailable: the endpoint does not serve it (unknown or retired). An admin can set EOS_STT_MODEL to a current model (e.g. `gpt-transcribe`).';

function sttModelUnavailable(err: unknown): boolean {
  return err instanceof SpeechError && err.kind === 'http' && err.status === 404 && /\bmodel\b/i.test(err.message);
}
