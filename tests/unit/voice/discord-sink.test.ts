/** The Discord AudioSink over a real @discordjs/voice AudioPlayer (no connection: NoSubscriberBehavior.Play) and the receiver's decoding. */
import { Readable } from 'node:stream';
import { AudioPlayerStatus, entersState, NoSubscriberBehavior } from '@discordjs/voice';
import prism from 'prism-media';
import { describe, expect, test } from 'vitest';
import { durationMs } from '../../../src/voice/audio/pcm.js';
import { pcmChunks, PlayerSink } from '../../../src/voice/discord/player-sink.js';
import { decodePcm } from '../../../src/voice/discord/receiver.js';
import { delay, toneFor } from '../../fakes/speech.js';

describe('pcmChunks', () => {
  test('converts to 48 kHz stereo and cuts 20 ms frames, padding the last one with silence', () => {
    const chunks = pcmChunks(toneFor(45, 16_000));
    expect(chunks.map((c) => c.length)).toEqual([3840, 3840, 3840]);
    const last = chunks[2] as Buffer;
    expect(last.subarray(960 * 2).every((b) => b === 0)).toBe(true);
    expect(chunks[0]?.readInt16LE(200)).toBe(chunks[0]?.readInt16LE(202));
  });
});

describe('PlayerSink', () => {
  test('play() resolves after the player went through playing back to idle', async () => {
    const sink = new PlayerSink({ noSubscriber: NoSubscriberBehavior.Play });
    const statuses: string[] = [];
    sink.player.on('stateChange', (_o, n) => statuses.push(n.status));
    await sink.play(toneFor(100, 48_000));
    expect(statuses).toContain(AudioPlayerStatus.Playing);
    expect(sink.player.state.status).toBe(AudioPlayerStatus.Idle);
    expect(statuses.at(-1)).toBe(AudioPlayerStatus.Idle);
  });

  test('stop() cuts a long clip and its play() resolves', async () => {
    const sink = new PlayerSink({ noSubscriber: NoSubscriberBehavior.Play });
    const clip = toneFor(20_000, 48_000);
    let settled = false;
    const playing = sink.play(clip).then(() => (settled = true));
    await entersState(sink.player, AudioPlayerStatus.Playing, 5000);
    expect(settled).toBe(false);
    sink.stop();
    const outcome = await Promise.race([playing.then(() => 'resolved'), delay(5000).then(() => 'still playing')]);
    expect(outcome).toBe('resolved');
    expect(durationMs(clip)).toBe(20_000);
  });
});

describe('receiver decoding', () => {
  test('Opus packets decode (prism-media, 48 kHz stereo, 960) into 20 ms Pcm frames', async () => {
    const encoder = new prism.opus.Encoder({ rate: 48_000, channels: 2, frameSize: 960 });
    const decoder = new prism.opus.Decoder({ rate: 48_000, channels: 2, frameSize: 960 });
    const frames: ReturnType<typeof decodePcm>[] = [];
    decoder.on('data', (chunk: Buffer) => frames.push(decodePcm(chunk)));
    const done = new Promise((resolve) => decoder.on('end', resolve));
    Readable.from(pcmChunks(toneFor(200, 48_000)))
      .pipe(encoder)
      .pipe(decoder);
    await done;
    expect(frames).toHaveLength(10);
    for (const f of frames) expect(f).toMatchObject({ sampleRate: 48_000, channels: 2 });
    expect(frames.every((f) => f.samples.length === 1920)).toBe(true);
    const loud = frames.slice(2).every((f) => f.samples.some((s) => Math.abs(s) > 3000));
    expect(loud).toBe(true);
  });
});
