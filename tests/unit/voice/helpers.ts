/**
 * Shared material for the voice pipeline tests: a spoken clip (real speech from tests/fixtures/audio.ts), feeding
 * helpers, a frame recorder, fake respond/link.
 */
import { concatSamples } from '../../../src/voice/audio/pcm.js';
import { toStereo48k } from '../../../src/voice/audio/resample.js';
import type { VoiceFrame, VoiceTranscript } from '../../../src/voice/pipeline/frames.js';
import type { Pipeline } from '../../../src/voice/pipeline/pipeline.js';
import type { Pcm } from '../../../src/voice/ports.js';
import type { LinkHandlers, LinkStatus, VoiceLink } from '../../../src/voice/session/link.js';
import { delay, FakeAudioSink } from '../../fakes/speech.js';
import { goforward, roomNoise } from '../../fixtures/audio.js';

/** [leadMs noise][goforward × gain][tailMs noise] as Discord audio (48 kHz stereo). */
export function spokenClip(opts: { leadMs?: number; tailMs?: number; gain?: number; seed?: number } = {}): Pcm {
  const gain = opts.gain ?? 1;
  const speech = goforward().samples.map((s) => Math.round(s * gain));
  const lead = roomNoise(((opts.leadMs ?? 300) * 16_000) / 1000, { seed: opts.seed ?? 1 });
  const tail = roomNoise(((opts.tailMs ?? 1000) * 16_000) / 1000, { seed: (opts.seed ?? 1) + 7 });
  return toStereo48k({ samples: concatSamples([lead, speech, tail]), sampleRate: 16_000, channels: 1 });
}

/** 20 ms pieces of 48 kHz stereo audio, as Discord delivers them. */
export function* chunks20ms(pcm: Pcm): Generator<Pcm> {
  const step = (pcm.sampleRate / 50) * pcm.channels;
  for (let at = 0; at < pcm.samples.length; at += step) {
    yield { samples: pcm.samples.subarray(at, at + step), sampleRate: pcm.sampleRate, channels: pcm.channels };
  }
}

/** Pushes a user's audio in 20 ms chunks (as fast as possible), then optionally 'audio-end'. */
export function feed(pipeline: Pipeline, userId: string, pcm: Pcm, end = false): void {
  for (const c of chunks20ms(pcm)) pipeline.push({ kind: 'audio', userId, pcm: c });
  if (end) pipeline.push({ kind: 'audio-end', userId });
}

/** Several users' audio interleaved chunk by chunk, like concurrent speakers. */
export function feedTogether(pipeline: Pipeline, clips: { userId: string; pcm: Pcm }[]): void {
  const its = clips.map((c) => ({ userId: c.userId, it: chunks20ms(c.pcm) }));
  let live = its.length;
  while (live > 0) {
    live = 0;
    for (const { userId, it } of its) {
      const next = it.next();
      if (next.done) continue;
      live++;
      pipeline.push({ kind: 'audio', userId, pcm: next.value });
    }
  }
}

export interface Recorded {
  frame: VoiceFrame;
  from: string;
  at: number;
}

/** Records every frame the pipeline carries except raw audio. */
export function record(pipeline: Pipeline): Recorded[] {
  const out: Recorded[] = [];
  pipeline.observe((frame, from) => {
    if (frame.kind !== 'audio' && frame.kind !== 'audio-16k') out.push({ frame, from, at: performance.now() });
  });
  return out;
}

export function kinds(rec: Recorded[], kind: VoiceFrame['kind']): VoiceFrame[] {
  return rec.filter((r) => r.frame.kind === kind).map((r) => r.frame);
}

export interface RespondCall {
  transcript: VoiceTranscript;
  signal: AbortSignal;
  yielded: string[];
}

/** A respond function yielding scripted deltas with a pause before each; records calls and their signals. */
export function scriptedRespond(script: (t: VoiceTranscript) => { deltas: string[]; gapMs: number }) {
  const calls: RespondCall[] = [];
  const respond = async function* (transcript: VoiceTranscript, opts: { signal: AbortSignal }): AsyncIterable<string> {
    const call: RespondCall = { transcript, signal: opts.signal, yielded: [] };
    calls.push(call);
    const { deltas, gapMs } = script(transcript);
    for (const d of deltas) {
      await delay(gapMs, opts.signal);
      call.yielded.push(d);
      yield d;
    }
  };
  return { respond, calls };
}

/** A VoiceLink driven by the test. */
export class FakeLink implements VoiceLink {
  readonly sink = new FakeAudioSink(0.05);
  handlers: LinkHandlers | undefined;
  destroyed = 0;
  connectSignal: AbortSignal | undefined;
  private settle: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(private readonly autoConnect = true) {}

  attach(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }

  connect(signal: AbortSignal): Promise<void> {
    this.connectSignal = signal;
    if (this.autoConnect) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      signal.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true });
    });
  }

  finishConnect(err?: Error): void {
    if (err) this.settle?.reject(err);
    else this.settle?.resolve();
  }

  status(s: LinkStatus): void {
    this.handlers?.status(s);
  }

  destroy(): void {
    this.destroyed++;
  }
}
