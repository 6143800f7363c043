/** Small helpers on Pcm values (signed 16-bit, interleaved). */
import type { Pcm } from '../ports.js';

export function emptyPcm(sampleRate: number, channels = 1): Pcm {
  return { samples: new Int16Array(0), sampleRate, channels };
}

/** Number of frames (samples per channel). */
export function frameCount(pcm: Pcm): number {
  return Math.floor(pcm.samples.length / pcm.channels);
}

export function durationMs(pcm: Pcm): number {
  return (frameCount(pcm) / pcm.sampleRate) * 1000;
}

/** `ms` of digital silence. */
export function silence(ms: number, sampleRate: number, channels = 1): Pcm {
  const frames = Math.round((ms / 1000) * sampleRate);
  return { samples: new Int16Array(frames * channels), sampleRate, channels };
}

/** Joins PCM pieces of the same format. */
export function concatPcm(parts: Pcm[], sampleRate: number, channels = 1): Pcm {
  for (const p of parts) {
    if (p.sampleRate !== sampleRate || p.channels !== channels) {
      throw new Error(`concatPcm: expected ${sampleRate} Hz x${channels}, got ${p.sampleRate} Hz x${p.channels}`);
    }
  }
  return { samples: concatSamples(parts.map((p) => p.samples)), sampleRate, channels };
}

export function concatSamples(parts: Int16Array[]): Int16Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Root mean square of the samples, 0..32768. */
export function rms(samples: Int16Array, start = 0, end = samples.length): number {
  if (end <= start) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  return Math.sqrt(sum / (end - start));
}

/** Largest absolute sample value. */
export function peak(samples: Int16Array): number {
  let max = 0;
  for (const s of samples) max = Math.max(max, Math.abs(s));
  return max;
}

/** Copies a byte buffer holding s16le samples into an Int16Array (handles odd alignment). */
export function int16FromBytes(bytes: Uint8Array): Int16Array {
  const count = Math.floor(bytes.length / 2);
  const out = new Int16Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** The samples as little-endian bytes. */
export function bytesFromInt16(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] ?? 0, i * 2);
  return out;
}
