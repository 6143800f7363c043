/** Respond, sentence-split, synthesize and playback stages, each alone. */
import { describe, expect, test, vi } from 'vitest';
import { durationMs } from '../../../src/voice/audio/pcm.js';
import { BotActivity } from '../../../src/voice/pipeline/activity.js';
import type { FrameOf, Stage, VoiceFrame } from '../../../src/voice/pipeline/frames.js';
import { PlaybackStage } from '../../../src/voice/pipeline/stages/playback.js';
import { RespondStage } from '../../../src/voice/pipeline/stages/respond.js';
import { SentenceSplitStage } from '../../../src/voice/pipeline/stages/sentence-split.js';
import { SynthesizeStage } from '../../../src/voice/pipeline/stages/synthesize.js';
import { FakeAudioSink, FakeTextToSpeech, toneFor } from '../../fakes/speech.js';
import { scriptedRespond } from './helpers.js';

const pcm16 = { samples: new Int16Array(0), sampleRate: 16_000, channels: 1 };
const transcript = (text: string): VoiceFrame => ({
  kind: 'transcript',
  userId: 'u1',
  speaker: 'Ann',
  text,
  startMs: 0,
  endMs: 1,
  audio: pcm16,
});

async function run(stage: Stage, frames: VoiceFrame[]): Promise<VoiceFrame[]> {
  const out: VoiceFrame[] = [];
  for (const f of frames) await stage.process(f, (o) => out.push(o));
  return out;
}

describe('RespondStage', () => {
  test('streams the reply as deltas of one turn, then reply-end with the full text and the transcript', async () => {
    const activity = new BotActivity();
    const { respond, calls } = scriptedRespond(() => ({ deltas: ['Hi ', 'Ann.'], gapMs: 1 }));
    const busy: boolean[] = [];
    activity.on('change', (s) => busy.push(s.busy));
    const out = await run(new RespondStage(respond, activity), [transcript('hello')]);
    expect(calls[0]?.transcript).toEqual({ userId: 'u1', speaker: 'Ann', text: 'hello' });
    expect(out).toEqual([
      { kind: 'reply-delta', turn: 1, text: 'Hi ' },
      { kind: 'reply-delta', turn: 1, text: 'Ann.' },
      { kind: 'reply-end', turn: 1, text: 'Hi Ann.', interrupted: false, inReplyTo: { userId: 'u1', speaker: 'Ann', text: 'hello' } },
    ]);
    // Busy from the start of the reply until its audio has been played.
    expect(busy).toEqual([true]);
    activity.played(1, false);
    expect(busy).toEqual([true, false]);
  });

  test('an interrupt aborts the reply in flight through its signal; reply-end says interrupted', async () => {
    const activity = new BotActivity();
    const { respond, calls } = scriptedRespond(() => ({ deltas: ['One. ', 'Two. ', 'Three.'], gapMs: 30 }));
    const stage = new RespondStage(respond, activity);
    const out: VoiceFrame[] = [];
    let firstDelta!: () => void;
    const delta = new Promise<void>((resolve) => (firstDelta = resolve));
    const done = stage.process(transcript('go'), (f) => {
      out.push(f);
      if (f.kind === 'reply-delta') firstDelta();
    });
    await delta; // the interrupt comes between the first and the second delta (30 ms apart)
    await stage.process({ kind: 'interrupt', userId: 'u2' }, (f) => out.push(f));
    await done;
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(out.map((f) => f.kind)).toEqual(['reply-delta', 'interrupt', 'reply-end']);
    expect(out.at(-1)).toMatchObject({ kind: 'reply-end', text: 'One. ', interrupted: true });
  });

  test('a failing respond gives an error frame and a reply-end with what came before', async () => {
    const activity = new BotActivity();
    const respond = async function* () {
      yield 'Partial ';
      throw new Error('llm down');
    };
    const out = await run(new RespondStage(respond, activity), [transcript('x')]);
    expect(out.map((f) => f.kind)).toEqual(['reply-delta', 'error', 'reply-end']);
    expect(out[1]).toMatchObject({ stage: 'respond', userId: 'u1' });
    expect(out[2]).toMatchObject({ text: 'Partial ', interrupted: false });
  });
});

describe('SentenceSplitStage', () => {
  test('emits sentences during the reply and the rest at reply-end; drops the rest of an interrupted reply', async () => {
    const activity = new BotActivity();
    const stage = new SentenceSplitStage(activity);
    const out = await run(stage, [
      { kind: 'reply-delta', turn: 1, text: 'Hello there. How' },
      { kind: 'reply-delta', turn: 1, text: ' are you' },
      { kind: 'reply-end', turn: 1, text: 'Hello there. How are you', interrupted: false },
      { kind: 'reply-delta', turn: 2, text: 'Cut off. Never said' },
      { kind: 'reply-end', turn: 2, text: 'Cut off. Never said', interrupted: true },
    ]);
    const sentences = out.filter((f): f is FrameOf<'sentence'> => f.kind === 'sentence').map((f) => `${f.turn}:${f.text}`);
    expect(sentences).toEqual(['1:Hello there.', '1:How are you', '2:Cut off.']);
    expect(out.filter((f) => f.kind === 'reply-end')).toHaveLength(2);
  });

  test('deltas of a cancelled turn produce nothing', async () => {
    const activity = new BotActivity();
    const turn = activity.nextTurn();
    activity.cancelAll('u');
    expect(await run(new SentenceSplitStage(activity), [{ kind: 'reply-delta', turn, text: 'Nope. Not this.' }])).toEqual([]);
  });
});

describe('SynthesizeStage', () => {
  test('sentence → speech at 48 kHz stereo with the text; a TTS failure becomes an error frame and the next sentence works', async () => {
    const activity = new BotActivity();
    const tts = new FakeTextToSpeech(0, 10, (t) => t.startsWith('bad'));
    const out = await run(new SynthesizeStage(tts, activity), [
      { kind: 'sentence', turn: 1, text: 'bad one.' },
      { kind: 'sentence', turn: 1, text: 'Good one.' },
    ]);
    expect(out.map((f) => f.kind)).toEqual(['error', 'speech']);
    expect(out[0]).toMatchObject({ stage: 'synthesize' });
    const speech = out[1] as FrameOf<'speech'>;
    expect(speech).toMatchObject({ turn: 1, text: 'Good one.' });
    expect(speech.pcm.sampleRate).toBe(48_000);
    expect(speech.pcm.channels).toBe(2);
    expect(durationMs(speech.pcm)).toBe(90);
  });

  test('an interrupt aborts the synthesis in flight and nothing is pushed for it', async () => {
    const activity = new BotActivity();
    const tts = new FakeTextToSpeech(50);
    const stage = new SynthesizeStage(tts, activity);
    const out: VoiceFrame[] = [];
    const turn = activity.nextTurn();
    const done = stage.process({ kind: 'sentence', turn, text: 'Long sentence.' }, (f) => out.push(f));
    await vi.waitFor(() => expect(tts.calls).toHaveLength(1), { interval: 1 }); // synthesis (50 ms) has begun
    activity.cancelAll('u');
    await stage.process({ kind: 'interrupt', userId: 'u' }, (f) => out.push(f));
    await done;
    expect(tts.calls[0]?.aborted).toBe(true);
    expect(out.map((f) => f.kind)).toEqual(['interrupt']);
  });
});

describe('PlaybackStage', () => {
  const speech = (turn: number, ms: number): VoiceFrame => ({ kind: 'speech', turn, pcm: toneFor(ms, 48_000), text: `${ms}` });

  test('plays speech in order, one at a time; audible until the turn ends; reports the turn as played', async () => {
    const activity = new BotActivity();
    const sink = new FakeAudioSink();
    const stage = new PlaybackStage(sink, activity);
    const audible: boolean[] = [];
    const played: unknown[] = [];
    activity.on('change', (s) => audible.push(s.audible));
    activity.on('played', (e) => played.push(e));
    await run(stage, [speech(1, 30), speech(1, 20), { kind: 'reply-end', turn: 1, text: '', interrupted: false }]);
    await stage.idle();
    expect(sink.plays.map((p) => p.ms)).toEqual([30, 20]);
    expect((sink.plays[1]?.at ?? 0) >= (sink.plays[0]?.end ?? Infinity)).toBe(true);
    expect(audible).toEqual([true, false]);
    expect(played).toEqual([{ turn: 1, interrupted: false }]);
  });

  test('an interrupt stops the sink, drops the queue and reports the turn as interrupted', async () => {
    const activity = new BotActivity();
    const sink = new FakeAudioSink();
    const stage = new PlaybackStage(sink, activity);
    const played: unknown[] = [];
    activity.on('played', (e) => played.push(e));
    const turn = activity.nextTurn();
    await run(stage, [speech(turn, 500), speech(turn, 500)]);
    await vi.waitFor(() => expect(sink.plays).toHaveLength(1), { interval: 1 }); // the first clip is playing
    activity.cancelAll('u');
    await run(stage, [{ kind: 'interrupt', userId: 'u' }]);
    await stage.idle();
    expect(sink.plays).toHaveLength(1);
    expect(sink.plays[0]?.stopped).toBe(true);
    expect(sink.stops).toHaveLength(1);
    expect(activity.snapshot.audible).toBe(false);
    expect(played).toEqual([{ turn, interrupted: true }]);
  });
});
