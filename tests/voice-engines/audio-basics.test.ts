import { describe, expect, test } from 'vitest';
import { durationMs, peak, rms } from '../../src/voice/audio/pcm.js';
import { PcmConverter, convertPcm, toMono16k, toStereo48k } from '../../src/voice/audio/resample.js';
import { decodeWav, encodeWav } from '../../src/voice/audio/wav.js';
import { durationSecs, voiceMessageWaveform, waveformBytes } from '../../src/voice/audio/waveform.js';
import { SpeechError } from '../../src/voice/ports.js';
import { tone, zeroCrossings } from '../fixtures/audio.js';

describe('wav', () => {
  test('round trip keeps samples, rate and channels', () => {
    const pcm = tone(22_050, 2, 300, 0.25);
    pcm.samples[1] = -32768;
    pcm.samples[3] = 32767;
    const wav = encodeWav(pcm);
    expect(wav.length).toBe(44 + pcm.samples.length * 2);
    const back = decodeWav(wav);
    expect(back.sampleRate).toBe(22_050);
    expect(back.channels).toBe(2);
    expect(Array.from(back.samples)).toEqual(Array.from(pcm.samples));
  });

  test('accepts streamed WAVs whose data size is a placeholder, and skips unknown chunks', () => {
    const wav = encodeWav(tone(16_000, 1, 440, 0.1));
    wav.writeUInt32LE(0x7ffff000, 40);
    expect(decodeWav(wav).samples.length).toBe(1600);
    const list = Buffer.from('LIST\x04\x00\x00\x00abcd', 'latin1');
    const withList = Buffer.concat([wav.subarray(0, 36), list, encodeWav(tone(16_000, 1, 440, 0.1)).subarray(36)]);
    expect(decodeWav(withList).samples.length).toBe(1600);
  });

  test('rejects non-PCM16 files with a clear SpeechError', () => {
    const wav = encodeWav(tone(16_000, 1, 440, 0.1));
    const float = Buffer.from(wav);
    float.writeUInt16LE(3, 20);
    expect(() => decodeWav(float)).toThrow(/only 16-bit PCM/);
    const eightBit = Buffer.from(wav);
    eightBit.writeUInt16LE(8, 34);
    expect(() => decodeWav(eightBit)).toThrow(/8-bit/);
    expect(() => decodeWav(Buffer.from('ID3 not a wav file at all'))).toThrow(SpeechError);
  });
});

describe('resample', () => {
  test('48 kHz stereo -> 16 kHz mono keeps a 440 Hz tone and the length', () => {
    const out = toMono16k(tone(48_000, 2, 440, 1));
    expect(out.sampleRate).toBe(16_000);
    expect(out.channels).toBe(1);
    expect(out.samples.length).toBe(16_000);
    expect(Math.abs(zeroCrossings(out.samples) - 880)).toBeLessThanOrEqual(2);
    expect(peak(out.samples.subarray(200, -200))).toBeGreaterThan(9_500);
  });

  test('22.05 kHz mono -> 48 kHz stereo keeps the tone in both channels', () => {
    const out = toStereo48k(tone(22_050, 1, 440, 1));
    expect(out.samples.length).toBe(96_000);
    expect(Math.abs(zeroCrossings(out.samples, 2, 0) - 880)).toBeLessThanOrEqual(2);
    expect(Math.abs(zeroCrossings(out.samples, 2, 1) - 880)).toBeLessThanOrEqual(2);
  });

  test('removes content above the new Nyquist frequency instead of aliasing it', () => {
    const out = toMono16k(tone(48_000, 1, 10_000, 0.5));
    expect(rms(out.samples, 400, out.samples.length - 400)).toBeLessThan(50);
  });

  test('streaming in odd-sized chunks equals the one-shot result', () => {
    const input = tone(44_100, 2, 1000, 0.5);
    const whole = convertPcm(input, { sampleRate: 16_000, channels: 1 });
    const conv = new PcmConverter(input, { sampleRate: 16_000, channels: 1 });
    const parts: number[] = [];
    for (let i = 0; i < input.samples.length; i += 1233) parts.push(...conv.push(input.samples.subarray(i, i + 1233)));
    parts.push(...conv.flush());
    expect(parts).toEqual(Array.from(whole.samples));
    expect(Math.round(durationMs(whole))).toBe(500);
  });
});

describe('voice message waveform', () => {
  test('at most 256 bytes, louder buckets are higher, duration in seconds', () => {
    const loud = tone(48_000, 1, 300, 2, 20_000);
    const quiet = tone(48_000, 1, 300, 2, 2_000);
    const clip = { samples: new Int16Array([...quiet.samples, ...loud.samples]), sampleRate: 48_000, channels: 1 };
    const bytes = waveformBytes(clip);
    expect(bytes.length).toBe(40);
    expect(bytes[39]).toBe(255);
    expect(bytes[0]).toBeLessThan(40);
    expect(durationSecs(clip)).toBeCloseTo(4, 5);
    const long = tone(8_000, 1, 200, 60);
    expect(Buffer.from(voiceMessageWaveform(long), 'base64').length).toBe(256);
  });
});
