import { describe, expect, test } from 'vitest';
import { concatSamples, rms } from '../../src/voice/audio/pcm.js';
import { toStereo48k } from '../../src/voice/audio/resample.js';
import { Endpointer, type Utterance } from '../../src/voice/audio/vad.js';
import { goforward, roomNoise, tone } from '../fixtures/audio.js';

const SECOND = 16_000;

/** [1 s noise][goforward][1 s noise][goforward][1 s noise], fed in 60 ms chunks. */
function twoCommands(): { samples: Int16Array; gfMs: number } {
  const gf = goforward().samples;
  const samples = concatSamples([
    roomNoise(SECOND, { amplitude: 30, seed: 1 }),
    gf,
    roomNoise(SECOND, { amplitude: 30, seed: 2 }),
    gf,
    roomNoise(SECOND, { amplitude: 30, seed: 3 }),
  ]);
  return { samples, gfMs: (gf.length / SECOND) * 1000 };
}

function run(ep: Endpointer, samples: Int16Array, chunk = 960): Utterance[] {
  const out: Utterance[] = [];
  for (let i = 0; i < samples.length; i += chunk) out.push(...ep.push(samples.subarray(i, i + chunk)));
  out.push(...ep.flush());
  ep.dispose();
  return out;
}

describe.each(['fvad', 'energy'] as const)('Endpointer with %s VAD on real speech', (vad) => {
  test('two spoken commands separated by 1 s of room noise give exactly two utterances', async () => {
    const { samples, gfMs } = twoCommands();
    const utterances = run(await Endpointer.create({ vad }), samples);
    expect(utterances.map((u) => u.reason)).toEqual(['silence', 'silence']);
    const secondOffset = 2000 + gfMs;
    for (const [i, u] of utterances.entries()) {
      const offset = i === 0 ? 1000 : secondOffset;
      // goforward.raw holds speech from about 0.5 s to 1.9 s of its 2.79 s.
      expect(u.startMs).toBeGreaterThanOrEqual(offset + 100);
      expect(u.startMs).toBeLessThanOrEqual(offset + 700);
      expect(u.endMs).toBeGreaterThanOrEqual(offset + 1800);
      expect(u.endMs).toBeLessThanOrEqual(offset + gfMs + 300);
      expect(u.pcm.samples.length).toBe(((u.endMs - u.startMs) / 1000) * SECOND);
      expect(rms(u.pcm.samples)).toBeGreaterThan(300);
    }
    const first = utterances[0];
    const startSample = ((first?.startMs ?? 0) / 1000) * SECOND;
    expect(Array.from(first?.pcm.samples.subarray(0, 100) ?? [])).toEqual(Array.from(samples.subarray(startSample, startSample + 100)));
  });

  test('maxUtteranceMs cuts long speech into pieces no longer than the limit', async () => {
    const { samples } = twoCommands();
    const utterances = run(await Endpointer.create({ vad, maxUtteranceMs: 1000 }), samples);
    const cuts = utterances.filter((u) => u.reason === 'max-length');
    expect(cuts.length).toBeGreaterThanOrEqual(2);
    for (const u of utterances) expect(u.endMs - u.startMs).toBeLessThanOrEqual(1000);
    for (let i = 1; i < utterances.length; i++) {
      const prev = utterances[i - 1];
      expect(utterances[i]?.startMs).toBeGreaterThanOrEqual(prev?.endMs ?? 0);
    }
  });
});

describe('Endpointer behaviour', () => {
  test('a short blip below minSpeechMs is dropped; speech cut by the stream end comes out on flush', () => {
    const ep = new Endpointer({ vad: 'energy', minSpeechMs: 250 });
    const blip = tone(16_000, 1, 500, 0.1, 8000).samples;
    const speechy = tone(16_000, 1, 300, 0.6, 8000).samples;
    expect(ep.push(concatSamples([roomNoise(SECOND), blip, roomNoise(SECOND)]))).toEqual([]);
    expect(ep.push(speechy)).toEqual([]);
    const flushed = ep.flush();
    expect(flushed).toHaveLength(1);
    expect(flushed[0]?.reason).toBe('flush');
    expect(flushed[0]?.endMs).toBeCloseTo(2700, 0);
  });

  test('accepts 48 kHz stereo Pcm chunks (Discord audio) and converts them', async () => {
    const ep = await Endpointer.create({ vad: 'fvad' });
    const clip = {
      samples: concatSamples([roomNoise(SECOND / 2), goforward().samples, roomNoise(SECOND)]),
      sampleRate: 16_000,
      channels: 1,
    };
    const stereo = toStereo48k(clip);
    const out: Utterance[] = [];
    for (let i = 0; i < stereo.samples.length; i += 3840) {
      out.push(...ep.push({ samples: stereo.samples.subarray(i, i + 3840), sampleRate: 48_000, channels: 2 }));
    }
    out.push(...ep.flush());
    ep.dispose();
    expect(out).toHaveLength(1);
    expect(out[0]?.pcm.sampleRate).toBe(16_000);
    expect(out[0]?.startMs).toBeGreaterThan(500);
  });

  test('the fvad VAD needs the async factory', () => {
    expect(() => new Endpointer({ vad: 'fvad' })).toThrow(/Endpointer.create/);
  });
});
