/** Small PCM helpers for voice tests (48 kHz stereo interleaved s16, the format Discord voice uses). */

export const VOICE_SAMPLE_RATE = 48_000;

/** A sine tone, the same on both channels. */
export function tonePcm(p: { hz: number; ms: number; amplitude?: number }): Int16Array {
  const frames = Math.round((p.ms * VOICE_SAMPLE_RATE) / 1000);
  const amplitude = p.amplitude ?? 0.3;
  const out = new Int16Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * p.hz * i) / VOICE_SAMPLE_RATE) * amplitude * 32767);
    out[2 * i] = v;
    out[2 * i + 1] = v;
  }
  return out;
}

/** Duration of stereo PCM in milliseconds. */
export function pcmDurationMs(pcm: Int16Array): number {
  return (pcm.length / 2 / VOICE_SAMPLE_RATE) * 1000;
}

/** Root mean square, 0..1 of full scale. */
export function pcmRms(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (const v of pcm) sum += (v / 32768) ** 2;
  return Math.sqrt(sum / pcm.length);
}

/** Milliseconds of stereo PCM whose 20 ms windows are louder than `threshold` RMS. */
export function pcmVoicedMs(pcm: Int16Array, threshold = 0.02): number {
  const window = (VOICE_SAMPLE_RATE / 50) * 2;
  let voiced = 0;
  for (let i = 0; i + window <= pcm.length; i += window) if (pcmRms(pcm.subarray(i, i + window)) > threshold) voiced += 20;
  return voiced;
}

/** Rough frequency of the left channel from its zero crossings (fine for pure tones). */
export function pcmZeroCrossingHz(pcm: Int16Array): number {
  let crossings = 0;
  let prev = pcm[0] ?? 0;
  for (let i = 2; i < pcm.length; i += 2) {
    const cur = pcm[i] ?? 0;
    if ((prev < 0 && cur >= 0) || (prev >= 0 && cur < 0)) crossings++;
    prev = cur;
  }
  const seconds = pcm.length / 2 / VOICE_SAMPLE_RATE;
  return seconds > 0 ? crossings / 2 / seconds : 0;
}
