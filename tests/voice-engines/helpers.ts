/** Shared audio material for the voice engine tests. */
import { readFileSync } from 'node:fs';
import { int16FromBytes } from '../../src/voice/audio/pcm.js';
import type { Pcm } from '../../src/voice/ports.js';

/** Debian pocketsphinx-testdata: 16 kHz mono s16le, "go forward ten meters". */
export const GOFORWARD_RAW = '/usr/share/pocketsphinx/test/data/goforward.raw';
/** JSGF grammar with that sentence (and other go <direction> <distance> commands). */
export const GOFORWARD_GRAM = '/usr/share/pocketsphinx/test/data/goforward.gram';
export const GOFORWARD_TEXT = 'go forward ten meters';

export function goforward(): Pcm {
  return { samples: int16FromBytes(readFileSync(GOFORWARD_RAW)), sampleRate: 16_000, channels: 1 };
}

/** Deterministic low-level noise (about -60 dBFS), like a quiet room rather than digital zeros. */
export function roomNoise(frames: number, amplitude = 30, seed = 1): Int16Array {
  const out = new Int16Array(frames);
  let x = seed;
  for (let i = 0; i < frames; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (x % (2 * amplitude + 1)) - amplitude;
  }
  return out;
}

export function tone(sampleRate: number, channels: number, hz: number, seconds: number, amplitude = 10_000): Pcm {
  const frames = Math.round(sampleRate * seconds);
  const samples = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));
    for (let c = 0; c < channels; c++) samples[i * channels + c] = v;
  }
  return { samples, sampleRate, channels };
}

/** Sign changes in one channel of interleaved samples. */
export function zeroCrossings(samples: Int16Array, channels = 1, channel = 0): number {
  let count = 0;
  let prev = samples[channel] ?? 0;
  for (let i = channel + channels; i < samples.length; i += channels) {
    const s = samples[i] ?? 0;
    if (prev < 0 !== s < 0) count++;
    prev = s;
  }
  return count;
}
