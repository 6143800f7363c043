/**
 * Sample-rate and channel conversion of 16-bit PCM with a windowed-sinc filter (no aliasing when downsampling).
 * PcmConverter is streaming: push() chunks of any size, flush() at the end; outputs concatenate to the one-shot result.
 */
import type { Pcm } from '../ports.js';
import { concatSamples } from './pcm.js';
import { SincResampler } from './sinc.js';

export interface PcmFormat {
  sampleRate: number;
  channels: number;
}

export const MONO_16K: PcmFormat = Object.freeze({ sampleRate: 16_000, channels: 1 });
export const STEREO_48K: PcmFormat = Object.freeze({ sampleRate: 48_000, channels: 2 });

export class PcmConverter {
  /** Channels that go through the resampler: 1 when mixing down or when the source is mono. */
  private readonly inner: number;
  private readonly resampler: SincResampler | undefined;
  private carry = new Int16Array(0);

  constructor(
    readonly from: PcmFormat,
    readonly to: PcmFormat,
  ) {
    const ok = from.channels === to.channels || to.channels === 1 || from.channels === 1;
    if (!ok || from.channels < 1 || to.channels < 1) {
      throw new RangeError(`cannot convert ${from.channels} channels to ${to.channels}`);
    }
    this.inner = Math.min(from.channels, to.channels);
    this.resampler = from.sampleRate === to.sampleRate ? undefined : new SincResampler(from.sampleRate, to.sampleRate, this.inner);
  }

  /** Interleaved samples in the `from` format; returns interleaved samples in the `to` format. */
  push(samples: Int16Array): Int16Array {
    const all = this.carry.length > 0 ? concatSamples([this.carry, samples]) : samples;
    const whole = all.length - (all.length % this.from.channels);
    this.carry = all.slice(whole);
    const channels = this.split(all.subarray(0, whole));
    return this.join(this.resampler ? this.resampler.push(channels) : channels);
  }

  flush(): Int16Array {
    this.carry = new Int16Array(0);
    return this.resampler ? this.join(this.resampler.flush()) : new Int16Array(0);
  }

  /** De-interleaves into `inner` float channels, averaging when mixing down. */
  private split(samples: Int16Array): Float32Array[] {
    const n = this.from.channels;
    const frames = samples.length / n;
    if (this.inner === n) {
      return Array.from({ length: n }, (_, c) => {
        const ch = new Float32Array(frames);
        for (let i = 0; i < frames; i++) ch[i] = samples[i * n + c] ?? 0;
        return ch;
      });
    }
    const mono = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < n; c++) sum += samples[i * n + c] ?? 0;
      mono[i] = sum / n;
    }
    return [mono];
  }

  /** Interleaves into `to.channels`, duplicating a mono channel when mixing up. */
  private join(channels: Float32Array[]): Int16Array {
    const n = this.to.channels;
    const frames = channels[0]?.length ?? 0;
    const out = new Int16Array(frames * n);
    for (let c = 0; c < n; c++) {
      const ch = channels[this.inner === n ? c : 0] ?? new Float32Array(frames);
      for (let i = 0; i < frames; i++) out[i * n + c] = clamp16(ch[i] ?? 0);
    }
    return out;
  }
}

function clamp16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** One-shot conversion of a whole clip. */
export function convertPcm(pcm: Pcm, to: PcmFormat): Pcm {
  if (pcm.sampleRate === to.sampleRate && pcm.channels === to.channels) return pcm;
  const conv = new PcmConverter(pcm, to);
  const samples = concatSamples([conv.push(pcm.samples), conv.flush()]);
  return { samples, sampleRate: to.sampleRate, channels: to.channels };
}

/** For speech recognition and the endpointer: any PCM (e.g. Discord's 48 kHz stereo) to 16 kHz mono. */
export function toMono16k(pcm: Pcm): Pcm {
  return convertPcm(pcm, MONO_16K);
}

/** For Discord playback: any PCM (e.g. TTS output) to 48 kHz stereo. */
export function toStereo48k(pcm: Pcm): Pcm {
  return convertPcm(pcm, STEREO_48K);
}
