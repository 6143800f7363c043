/** What Eos needs from speech engines. Adapters live in src/voice/stt and src/voice/tts. */

/** Signed 16-bit little-endian PCM, interleaved when channels > 1. */
export interface Pcm {
  samples: Int16Array;
  sampleRate: number;
  channels: number;
}

export interface TranscribeOptions {
  signal?: AbortSignal;
  /** ISO-639-1 language hint, e.g. 'en'. */
  language?: string;
  /** Context words (names, jargon) to bias recognition where the engine supports it. */
  prompt?: string;
}

export interface SpeechToText {
  /** e.g. "openai:whisper-1 @ http://host/v1", "offline:pocketsphinx". Never contains keys. */
  readonly description: string;
  /** `audio` is 16 kHz mono. Returns the transcript ('' for no speech). */
  transcribe(audio: Pcm, opts?: TranscribeOptions): Promise<string>;
}

export interface SynthesizeOptions {
  signal?: AbortSignal;
}

export interface TextToSpeech {
  readonly description: string;
  /** Returns PCM at the engine's own rate and channel count; the pipeline resamples for playback. */
  synthesize(text: string, opts?: SynthesizeOptions): Promise<Pcm>;
}

export type SpeechErrorKind = 'timeout' | 'http' | 'network' | 'engine' | 'unavailable' | 'aborted';

export class SpeechError extends Error {
  override readonly name = 'SpeechError';
  constructor(
    readonly kind: SpeechErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
