/** Downmix stage: each user's 48 kHz stereo audio → 16 kHz mono ('audio' → 'audio-16k'), one streaming converter per user. */
import { MONO_16K, PcmConverter } from '../../audio/resample.js';
import type { Pcm } from '../../ports.js';
import type { Push, Stage, VoiceFrame } from '../frames.js';

export class DownmixStage implements Stage {
  readonly name = 'downmix';
  readonly lanes = 'user' as const;
  private readonly converters = new Map<string, PcmConverter>();

  process(frame: VoiceFrame, push: Push): void {
    if (frame.kind === 'audio') {
      const samples = this.converter(frame.userId, frame.pcm).push(frame.pcm.samples);
      if (samples.length > 0) push({ kind: 'audio-16k', userId: frame.userId, pcm: mono16k(samples) });
      return;
    }
    if (frame.kind === 'audio-end') {
      const conv = this.converters.get(frame.userId);
      this.converters.delete(frame.userId);
      const tail = conv?.flush();
      if (tail && tail.length > 0) push({ kind: 'audio-16k', userId: frame.userId, pcm: mono16k(tail) });
    }
    push(frame);
  }

  stop(): void {
    this.converters.clear();
  }

  private converter(userId: string, pcm: Pcm): PcmConverter {
    const existing = this.converters.get(userId);
    if (existing && existing.from.sampleRate === pcm.sampleRate && existing.from.channels === pcm.channels) return existing;
    const conv = new PcmConverter({ sampleRate: pcm.sampleRate, channels: pcm.channels }, MONO_16K);
    this.converters.set(userId, conv);
    return conv;
  }
}

function mono16k(samples: Int16Array): Pcm {
  return { samples, sampleRate: MONO_16K.sampleRate, channels: 1 };
}
