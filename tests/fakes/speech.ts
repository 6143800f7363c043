/** Fake speech engines and audio sink that record their calls (for the voice pipeline tests and bench). */
import { durationMs } from '../../src/voice/audio/pcm.js';
import type { AudioSink } from '../../src/voice/pipeline/sink.js';
import { SpeechError, type Pcm, type SpeechToText, type TextToSpeech, type TranscribeOptions } from '../../src/voice/ports.js';

/** Resolves after `ms`, rejects with SpeechError 'aborted' when the signal fires first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new SpeechError('aborted', 'aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SpeechError('aborted', 'aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type SttScript = string | Error | ((audio: Pcm) => string | Error);

/** Answers from a FIFO script, then from the fallback; each call takes `delayMs`. */
export class FakeSpeechToText implements SpeechToText {
  readonly description = 'fake:stt';
  readonly calls: { at: number; audioMs: number; sampleRate: number; channels: number; opts?: TranscribeOptions; aborted?: boolean }[] = [];
  private readonly script: SttScript[] = [];

  constructor(
    private readonly fallback: SttScript = 'hello',
    public delayMs = 0,
  ) {}

  enqueue(...items: SttScript[]): this {
    this.script.push(...items);
    return this;
  }

  async transcribe(audio: Pcm, opts?: TranscribeOptions): Promise<string> {
    const call = { at: performance.now(), audioMs: durationMs(audio), sampleRate: audio.sampleRate, channels: audio.channels, opts };
    this.calls.push(call);
    const item = this.script.shift() ?? this.fallback;
    try {
      await delay(this.delayMs, opts?.signal);
    } catch (err) {
      this.calls[this.calls.indexOf(call)] = { ...call, aborted: true };
      throw err;
    }
    const result = typeof item === 'function' ? item(audio) : item;
    if (result instanceof Error) throw result;
    return result;
  }
}

/** A 16 kHz mono tone of `msPerChar` per character; fails for texts matched by `failOn`. */
export class FakeTextToSpeech implements TextToSpeech {
  readonly description = 'fake:tts';
  readonly calls: { at: number; text: string; done?: number; aborted?: boolean }[] = [];

  constructor(
    public delayMs = 0,
    public msPerChar = 10,
    public failOn: (text: string) => boolean = () => false,
  ) {}

  async synthesize(text: string, opts?: { signal?: AbortSignal }): Promise<Pcm> {
    const call: { at: number; text: string; done?: number; aborted?: boolean } = { at: performance.now(), text };
    this.calls.push(call);
    try {
      await delay(this.delayMs, opts?.signal);
    } catch (err) {
      call.aborted = true;
      throw err;
    }
    call.done = performance.now();
    if (this.failOn(text)) throw new SpeechError('engine', `fake tts failed on "${text}"`);
    return toneFor(text.length * this.msPerChar);
  }
}

export function toneFor(ms: number, sampleRate = 16_000, hz = 440): Pcm {
  const frames = Math.round((ms / 1000) * sampleRate);
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  return { samples, sampleRate, channels: 1 };
}

/** Records plays and stops; a play lasts the audio's duration × `timeScale` unless stop() cuts it. */
export class FakeAudioSink implements AudioSink {
  readonly plays: { at: number; ms: number; sampleRate: number; channels: number; end?: number; stopped?: boolean }[] = [];
  readonly stops: number[] = [];
  private cut: (() => void) | undefined;

  constructor(public timeScale = 1) {}

  play(pcm: Pcm): Promise<void> {
    const entry: FakeAudioSink['plays'][number] = {
      at: performance.now(),
      ms: durationMs(pcm),
      sampleRate: pcm.sampleRate,
      channels: pcm.channels,
    };
    this.plays.push(entry);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), entry.ms * this.timeScale);
      const finish = (stopped: boolean) => {
        clearTimeout(timer);
        this.cut = undefined;
        entry.end = performance.now();
        entry.stopped = stopped;
        resolve();
      };
      this.cut = () => finish(true);
    });
  }

  stop(): void {
    this.stops.push(performance.now());
    this.cut?.();
  }

  get playing(): boolean {
    return this.cut !== undefined;
  }
}
