/** Downmix, endpoint, barge-in and transcribe stages, each alone. */
import { describe, expect, test } from 'vitest';
import { durationMs, rms } from '../../../src/voice/audio/pcm.js';
import { BotActivity } from '../../../src/voice/pipeline/activity.js';
import type { FrameOf, Stage, VoiceFrame } from '../../../src/voice/pipeline/frames.js';
import { BargeInStage } from '../../../src/voice/pipeline/stages/barge-in.js';
import { DownmixStage } from '../../../src/voice/pipeline/stages/downmix.js';
import { EndpointStage } from '../../../src/voice/pipeline/stages/endpoint.js';
import { cleanTranscript, TranscribeStage } from '../../../src/voice/pipeline/stages/transcribe.js';
import { SpeechError } from '../../../src/voice/ports.js';
import { FakeSpeechToText } from '../../fakes/speech.js';
import { chunks20ms, spokenClip } from './helpers.js';

async function run(stage: Stage, frames: VoiceFrame[]): Promise<VoiceFrame[]> {
  const out: VoiceFrame[] = [];
  for (const f of frames) await stage.process(f, (o) => out.push(o));
  return out;
}

function audioFrames(userId: string, clip = spokenClip()): VoiceFrame[] {
  return [...chunks20ms(clip)].map((pcm) => ({ kind: 'audio', userId, pcm }));
}

describe('DownmixStage', () => {
  test('turns 48 kHz stereo into 16 kHz mono of the same duration, per user, flushing at audio-end', async () => {
    const clip = spokenClip({ tailMs: 200 });
    const out = await run(new DownmixStage(), [...audioFrames('u1', clip), { kind: 'audio-end', userId: 'u1' }]);
    const mono = out.filter((f): f is FrameOf<'audio-16k'> => f.kind === 'audio-16k');
    expect(mono.every((f) => f.pcm.sampleRate === 16_000 && f.pcm.channels === 1 && f.userId === 'u1')).toBe(true);
    const total = mono.reduce((n, f) => n + f.pcm.samples.length, 0);
    expect(total).toBe(durationMs(clip) * 16);
    expect(out.at(-1)).toEqual({ kind: 'audio-end', userId: 'u1' });
  });
});

describe('EndpointStage (real speech)', () => {
  test.each(['fvad', 'energy'] as const)('%s: one utterance for one spoken command, user-started before it', async (vad) => {
    const stage = new EndpointStage({ vad, silenceMs: 500 });
    await stage.start();
    const mono = await run(new DownmixStage(), audioFrames('u1'));
    const out = await run(stage, mono);
    stage.stop();
    expect(out.map((f) => f.kind)).toEqual(['user-started', 'utterance']);
    const u = out[1] as FrameOf<'utterance'>;
    expect(u.userId).toBe('u1');
    expect(u.reason).toBe('silence');
    // goforward speech lies at 0.3 + 0.5 .. 0.3 + 1.9 s in the clip.
    expect(u.startMs).toBeGreaterThan(300);
    expect(u.startMs).toBeLessThan(1000);
    expect(u.endMs).toBeGreaterThan(2100);
    expect(rms(u.pcm.samples)).toBeGreaterThan(300);
  });

  test('audio-end flushes an utterance cut short by the end of the stream', async () => {
    const stage = new EndpointStage({ vad: 'energy' });
    await stage.start();
    const mono = await run(new DownmixStage(), audioFrames('u1', spokenClip({ tailMs: 0 })));
    const out = await run(stage, [...mono, { kind: 'audio-end', userId: 'u1' }]);
    stage.stop();
    const utterances = out.filter((f) => f.kind === 'utterance');
    expect(utterances).toHaveLength(1);
    expect(utterances[0]).toMatchObject({ reason: 'flush' });
    expect(out.at(-1)?.kind).toBe('audio-end');
  });

  test('rejects audio that is not 16 kHz mono', async () => {
    const stage = new EndpointStage({ vad: 'energy' });
    const pcm = { samples: new Int16Array(1920), sampleRate: 48_000, channels: 2 };
    expect(() => stage.process({ kind: 'audio-16k', userId: 'u', pcm }, () => undefined)).toThrow(/16 kHz mono/);
  });
});

describe('BargeInStage', () => {
  test('interrupts only while the bot is audible (or thinking when asked to), and cancels the turns so far', async () => {
    const activity = new BotActivity();
    const started: VoiceFrame = { kind: 'user-started', userId: 'u1' };
    const stage = new BargeInStage(activity);
    expect(await run(stage, [started])).toEqual([started]);
    const turn = activity.nextTurn();
    activity.beginReply(turn);
    expect(await run(stage, [started])).toEqual([started]);
    expect(await run(new BargeInStage(activity, { whileThinking: true }), [started])).toEqual([
      started,
      { kind: 'interrupt', userId: 'u1' },
    ]);
    const next = activity.nextTurn();
    activity.setAudible(true);
    expect(activity.isCancelled(next)).toBe(false);
    expect(await run(stage, [started])).toEqual([started, { kind: 'interrupt', userId: 'u1' }]);
    expect(activity.isCancelled(next)).toBe(true);
    expect(await run(new BargeInStage(activity, { enabled: false }), [started])).toEqual([started]);
  });
});

describe('TranscribeStage', () => {
  const utterance = (userId: string): VoiceFrame => ({
    kind: 'utterance',
    userId,
    pcm: { samples: new Int16Array(16_000), sampleRate: 16_000, channels: 1 },
    startMs: 10,
    endMs: 1010,
    reason: 'silence',
  });

  test('utterance → transcript with the speaker name; passes other frames on', async () => {
    const stt = new FakeSpeechToText('  go forward ten meters ');
    const stage = new TranscribeStage(stt, { speakerName: async (id) => `name-of-${id}`, language: 'en' });
    const other: VoiceFrame = { kind: 'user-started', userId: 'u1' };
    const out = await run(stage, [other, utterance('u1')]);
    expect(out[0]).toBe(other);
    expect(out[1]).toMatchObject({
      kind: 'transcript',
      userId: 'u1',
      speaker: 'name-of-u1',
      text: 'go forward ten meters',
      startMs: 10,
      endMs: 1010,
    });
    expect(stt.calls[0]?.opts?.language).toBe('en');
    expect(stt.calls[0]?.audioMs).toBe(1000);
  });

  test('empty and noise-only transcripts are dropped', async () => {
    const stt = new FakeSpeechToText().enqueue('', '   ', '[BLANK_AUDIO]', '(music) ♪', '...', '*coughs* hi');
    const out = await run(
      new TranscribeStage(stt),
      Array.from({ length: 6 }, () => utterance('u')),
    );
    expect(out.map((f) => (f.kind === 'transcript' ? f.text : f.kind))).toEqual(['hi']);
    expect(cleanTranscript('Hello, [laughs] world!')).toBe('Hello, world!');
  });

  test('an STT failure throws (the pipeline turns it into an error frame) and the next utterance is transcribed', async () => {
    const stt = new FakeSpeechToText().enqueue(new SpeechError('timeout', 'stt timed out'), 'second');
    const stage = new TranscribeStage(stt);
    await expect(stage.process(utterance('u'), () => undefined)).rejects.toThrow('stt timed out');
    expect(await run(stage, [utterance('u')])).toMatchObject([{ kind: 'transcript', text: 'second' }]);
  });
});
