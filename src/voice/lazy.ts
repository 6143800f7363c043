/**
 * Speech engines built on first use. The engines' modules (the openai SDK, google-tts-api + axios, whisper.cpp,
 * child-process engines) are not needed to reach READY, and most servers never speak to Eos: `buildSpeech` hands
 * out these ports and the engine is chosen and imported when the first audio is transcribed or the first reply is
 * spoken. A failure to build it (a misconfiguration, a missing optional engine) rejects that call and the next one
 * tries again.
 */
import type { Pcm, SpeechToText, SynthesizeOptions, TextToSpeech, TranscribeOptions } from './ports.js';

/** Loads the engine once (again after a failure); `loaded()` is the engine once it is built. */
function once<T>(load: () => Promise<T>): { get(): Promise<T>; loaded(): T | undefined } {
  let pending: Promise<T> | undefined;
  let value: T | undefined;
  return {
    get() {
      pending ??= load().then(
        (v) => (value = v),
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    loaded: () => value,
  };
}

/** `description` is the engine's own once it is built, `planned` (from the configuration) before. */
export function lazySpeechToText(planned: string, load: () => Promise<SpeechToText>): SpeechToText {
  const engine = once(load);
  return {
    get description() {
      return engine.loaded()?.description ?? planned;
    },
    async transcribe(audio: Pcm, opts?: TranscribeOptions) {
      return (await engine.get()).transcribe(audio, opts);
    },
  };
}

export function lazyTextToSpeech(planned: string, load: () => Promise<TextToSpeech>): TextToSpeech {
  const engine = once(load);
  return {
    get description() {
      return engine.loaded()?.description ?? planned;
    },
    async synthesize(text: string, opts?: SynthesizeOptions) {
      return (await engine.get()).synthesize(text, opts);
    },
  };
}
