import { Readable } from 'node:stream';
import prism from 'prism-media';
import { describe, expect, test } from 'vitest';
import { decodeToPcm, encodeMp3, encodeOggOpus, findFfmpeg } from '../../src/voice/audio/ffmpeg.js';
import { durationMs, int16FromBytes, rms } from '../../src/voice/audio/pcm.js';
import { toMono16k } from '../../src/voice/audio/resample.js';
import { durationSecs, voiceMessageWaveform } from '../../src/voice/audio/waveform.js';
import { SpeechError } from '../../src/voice/ports.js';
import { goforward, zeroCrossings, tone } from '../fixtures/audio.js';

/** Ogg Opus -> 48 kHz mono PCM without ffmpeg, as the facts note describes (pre-skip not trimmed). */
async function decodeOggWithPrism(ogg: Buffer): Promise<Int16Array> {
  const decoder = new prism.opus.Decoder({ rate: 48_000, channels: 1, frameSize: 960 });
  const chunks: Buffer[] = [];
  const stream = Readable.from([ogg]).pipe(new prism.opus.OggDemuxer()).pipe(decoder);
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return int16FromBytes(Buffer.concat(chunks));
}

describe('ffmpeg', () => {
  test('findFfmpeg finds a runnable binary (ffmpeg-static or PATH)', () => {
    expect(findFfmpeg()).toMatch(/ffmpeg/);
  });

  test('voice message: Ogg Opus encode -> prism OggDemuxer + Opus decoder gives the speech back', async () => {
    const speech = goforward();
    const ogg = await encodeOggOpus(speech);
    expect(ogg.toString('ascii', 0, 4)).toBe('OggS');
    expect(ogg.includes(Buffer.from('OpusHead'))).toBe(true);
    const decoded = await decodeOggWithPrism(ogg);
    const back = { samples: decoded, sampleRate: 48_000, channels: 1 };
    expect(Math.abs(durationMs(back) - durationMs(speech))).toBeLessThan(60);
    expect(rms(decoded)).toBeGreaterThan(rms(speech.samples) * 0.5);
    const waveform = Buffer.from(voiceMessageWaveform(speech), 'base64');
    expect(waveform.length).toBeGreaterThan(0);
    expect(waveform.length).toBeLessThanOrEqual(256);
    expect(durationSecs(speech)).toBeCloseTo(2.786, 2);
  });

  test('decodeToPcm reads MP3 into the requested format with the tone intact', async () => {
    const mp3 = await encodeMp3(tone(24_000, 1, 440, 1), '64k');
    const pcm = await decodeToPcm(mp3, { sampleRate: 16_000, channels: 1 });
    expect(pcm.sampleRate).toBe(16_000);
    expect(Math.abs(durationMs(pcm) - 1000)).toBeLessThan(80);
    const mid = pcm.samples.subarray(1600, 14_400);
    expect(Math.abs(zeroCrossings(mid) - 704)).toBeLessThanOrEqual(6);
    expect(toMono16k(pcm)).toBe(pcm);
  });

  test('garbage, empty input, a missing binary and a timeout are SpeechErrors', async () => {
    const fmt = { sampleRate: 16_000, channels: 1 };
    await expect(decodeToPcm(Buffer.from('definitely not audio'.repeat(20)), fmt)).rejects.toMatchObject({ kind: 'engine' });
    await expect(decodeToPcm(Buffer.alloc(0), fmt)).rejects.toBeInstanceOf(SpeechError);
    await expect(decodeToPcm(Buffer.from('x'), fmt, { ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(encodeOggOpus(goforward(), { timeoutMs: 1 })).rejects.toMatchObject({ kind: 'timeout' });
  });
});
