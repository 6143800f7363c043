/** The `waveform` and `duration_secs` of a Discord voice message attachment. */
import type { Pcm } from '../ports.js';
import { frameCount, rms } from './pcm.js';

/** Discord accepts at most 256 waveform bytes. */
export const MAX_WAVEFORM_BYTES = 256;
/** One waveform byte per 100 ms, as Discord clients do, until the 256-byte limit spreads them wider. */
const BUCKET_MS = 100;
/** RMS below which a bucket is drawn as silence-level rather than scaled up to full height. */
const QUIET_RMS = 1000;

/** Length of the clip in seconds (what `duration_secs` wants). */
export function durationSecs(pcm: Pcm): number {
  return frameCount(pcm) / pcm.sampleRate;
}

/** Per-bucket loudness 0..255 (loudest bucket = 255 unless the whole clip is quiet). */
export function waveformBytes(pcm: Pcm, maxBytes = MAX_WAVEFORM_BYTES): Uint8Array {
  const frames = frameCount(pcm);
  if (frames === 0) return new Uint8Array(0);
  const count = Math.max(1, Math.min(maxBytes, Math.ceil((durationSecs(pcm) * 1000) / BUCKET_MS)));
  const levels = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const start = Math.floor((b * frames) / count) * pcm.channels;
    const end = Math.floor(((b + 1) * frames) / count) * pcm.channels;
    levels[b] = rms(pcm.samples, start, end);
  }
  const loudest = Math.max(QUIET_RMS, ...levels);
  return Uint8Array.from(levels, (v) => Math.min(255, Math.round((v / loudest) * 255)));
}

/** Base64 of waveformBytes(): at most 256 bytes of amplitude 0..255. */
export function voiceMessageWaveform(pcm: Pcm): string {
  return Buffer.from(waveformBytes(pcm)).toString('base64');
}
