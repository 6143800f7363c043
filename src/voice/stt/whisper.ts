/**
 * Offline SpeechToText with whisper.cpp through the optional @napi-rs/whisper package and a ggml model file
 * (e.g. ggml-base.en.bin, downloaded by the user: neither npm nor Debian ships one).
 * Note: whisper.cpp's `full()` is synchronous and blocks the event loop while it runs (about 1 s per utterance
 * with tiny.en on 2 cores); run it in a worker if that matters.
 */
import { access } from 'node:fs/promises';
import { toMono16k } from '../audio/resample.js';
import { SpeechError, type SpeechToText } from '../ports.js';

export interface WhisperOptions {
  /** Path of a ggml Whisper model. */
  modelPath: string;
  /** CPU threads. Default 2. */
  threads?: number;
  /** Default language when transcribe() gets none. Default 'en'. */
  language?: string;
  /** Module to load (tests point this at a missing package). Default '@napi-rs/whisper'. */
  packageName?: string;
}

/** The parts of @napi-rs/whisper we use (kept local so the optional package is not needed to type-check). */
interface WhisperParams {
  language: string;
  nThreads: number;
  initialPrompt: string;
  noTimestamps: boolean;
  printProgress: boolean;
  printRealtime: boolean;
  singleSegment: boolean;
}
interface WhisperModule {
  Whisper: new (model: string) => { full(params: WhisperParams, samples: Float32Array): string };
  WhisperFullParams: new (strategy: number) => WhisperParams;
  WhisperSamplingStrategy: { Greedy: number };
}
type WhisperInstance = InstanceType<WhisperModule['Whisper']>;

async function loadModel(opts: WhisperOptions): Promise<{ mod: WhisperModule; whisper: WhisperInstance }> {
  try {
    await access(opts.modelPath);
  } catch {
    throw new SpeechError(
      'unavailable',
      `Whisper model not found at ${opts.modelPath}: download a ggml model (e.g. ggml-base.en.bin) and set its path`,
    );
  }
  const name = opts.packageName ?? '@napi-rs/whisper';
  let mod: WhisperModule;
  try {
    mod = (await import(name)) as WhisperModule;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new SpeechError('unavailable', `local Whisper needs the optional package ${name}, which cannot be loaded: ${detail}`);
  }
  try {
    return { mod, whisper: new mod.Whisper(opts.modelPath) };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new SpeechError('engine', `cannot load the Whisper model ${opts.modelPath}: ${detail}`);
  }
}

/** Drops whisper.cpp's non-speech markers such as [BLANK_AUDIO] or (music). */
export function cleanWhisperText(text: string): string {
  return text
    .replace(/\[[A-Z_ ]+\]|\((?:music|silence|noise|inaudible)\)/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function createWhisperSpeechToText(opts: WhisperOptions): SpeechToText {
  let loading: Promise<{ mod: WhisperModule; whisper: WhisperInstance }> | undefined;
  return {
    description: 'offline:whisper.cpp',
    async transcribe(audio, o = {}) {
      if (o.signal?.aborted) throw new SpeechError('aborted', 'Whisper transcription aborted');
      loading ??= loadModel(opts);
      const { mod, whisper } = await loading.catch((err: unknown) => {
        loading = undefined;
        throw err;
      });
      if (audio.samples.length === 0) return '';
      const mono = toMono16k(audio).samples;
      const floats = Float32Array.from(mono, (s) => s / 32768);
      const params = new mod.WhisperFullParams(mod.WhisperSamplingStrategy.Greedy);
      params.language = o.language ?? opts.language ?? 'en';
      params.nThreads = opts.threads ?? 2;
      if (o.prompt) params.initialPrompt = o.prompt;
      params.noTimestamps = true;
      params.printProgress = false;
      params.printRealtime = false;
      try {
        return cleanWhisperText(whisper.full(params, floats));
      } catch (err) {
        throw new SpeechError('engine', `Whisper failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
