/** The whole standard pipeline: real speech in, fake STT / respond / TTS, a recording sink. */
import { describe, expect, test } from 'vitest';
import { rms } from '../../../src/voice/audio/pcm.js';
import { createVoicePipeline, speak, type VoicePipeline } from '../../../src/voice/pipeline/build.js';
import type { FrameOf } from '../../../src/voice/pipeline/frames.js';
import type { Pcm } from '../../../src/voice/ports.js';
import { SpeechError } from '../../../src/voice/ports.js';
import { delay, FakeAudioSink, FakeSpeechToText, FakeTextToSpeech } from '../../fakes/speech.js';
import { feed, feedTogether, kinds, record, scriptedRespond, spokenClip } from './helpers.js';

interface Setup {
  vp: VoicePipeline;
  stt: FakeSpeechToText;
  tts: FakeTextToSpeech;
  sink: FakeAudioSink;
  calls: ReturnType<typeof scriptedRespond>['calls'];
}

interface SetupOptions {
  stt?: FakeSpeechToText;
  tts?: FakeTextToSpeech;
  sink?: FakeAudioSink;
  deltas?: (userId: string) => string[];
  gapMs?: number;
}

async function setup(o: SetupOptions = {}): Promise<Setup> {
  const stt = o.stt ?? new FakeSpeechToText('go forward ten meters', 5);
  const tts = o.tts ?? new FakeTextToSpeech(5);
  const sink = o.sink ?? new FakeAudioSink(0.2);
  const deltas = o.deltas ?? ((): string[] => []);
  const { respond, calls } = scriptedRespond((t) => {
    const scripted = deltas(t.userId);
    return { deltas: scripted.length > 0 ? scripted : [`You said ${t.text}. `, 'Okay.'], gapMs: o.gapMs ?? 5 };
  });
  const vp = createVoicePipeline({ stt, tts, respond, sink, endpoint: { vad: 'fvad', silenceMs: 500 } });
  await vp.pipeline.start();
  return { vp, stt, tts, sink, calls };
}

describe('voice pipeline end to end (fakes, real speech)', () => {
  test('spoken command → transcript → streamed reply → speech played; first sentence synthesized and played before the reply ends', async () => {
    const s = await setup({ deltas: () => ['Hello there. ', 'This is ', 'the second sentence. ', 'And a third.'], gapMs: 60 });
    const rec = record(s.vp.pipeline);
    feed(s.vp.pipeline, 'u1', spokenClip());
    await s.vp.pipeline.idle();

    expect(kinds(rec, 'transcript')).toMatchObject([{ userId: 'u1', speaker: 'u1', text: 'go forward ten meters' }]);
    expect(s.stt.calls[0]).toMatchObject({ sampleRate: 16_000, channels: 1 });
    expect(s.tts.calls.map((c) => c.text)).toEqual(['Hello there.', 'This is the second sentence.', 'And a third.']);
    const replyEnd = rec.find((r) => r.frame.kind === 'reply-end');
    expect(replyEnd?.frame).toMatchObject({ text: 'Hello there. This is the second sentence. And a third.', interrupted: false });
    expect(s.tts.calls[0]?.at).toBeLessThan(replyEnd?.at ?? 0);
    expect(s.sink.plays[0]?.at).toBeLessThan(replyEnd?.at ?? 0);
    expect(s.sink.plays).toHaveLength(3);
    expect(s.sink.plays.every((p) => p.sampleRate === 48_000 && p.channels === 2)).toBe(true);
    expect(s.sink.plays.map((p) => p.ms)).toEqual([120, 280, 120]);
    expect(s.vp.activity.snapshot).toEqual({ busy: false, audible: false });
    await s.vp.pipeline.stop();
  });

  test('barge-in: a user speaking over the bot stops playback, cancels the reply in flight, and is answered next', async () => {
    // The first sentence plays for about 1 s: ample time for u2's speech to be heard over it.
    const s = await setup({
      sink: new FakeAudioSink(1),
      tts: new FakeTextToSpeech(5, 40),
      deltas: (userId) => (userId === 'u1' ? ['First sentence is here. ', 'Second one. ', 'Third one. ', 'Fourth.'] : ['Sure.']),
      gapMs: 150,
    });
    const rec = record(s.vp.pipeline);
    feed(s.vp.pipeline, 'u1', spokenClip());
    const start = performance.now();
    while (s.sink.plays.length === 0 && performance.now() - start < 3000) await delay(5);
    expect(s.sink.playing).toBe(true);

    feed(s.vp.pipeline, 'u2', spokenClip({ seed: 5 }));
    await s.vp.pipeline.idle();

    expect(kinds(rec, 'interrupt')).toEqual([{ kind: 'interrupt', userId: 'u2' }]);
    expect(s.sink.stops.length).toBeGreaterThanOrEqual(1);
    expect(s.sink.plays[0]?.stopped).toBe(true);
    expect(s.calls[0]?.signal.aborted).toBe(true);
    expect(s.calls[0]?.yielded.length).toBeLessThan(4);
    const ends = kinds(rec, 'reply-end') as FrameOf<'reply-end'>[];
    expect(ends.map((e) => [e.inReplyTo?.userId, e.interrupted])).toEqual([
      ['u1', true],
      ['u2', false],
    ]);
    // Nothing of the first reply after the interrupt: every later TTS call belongs to the answer to u2.
    const interruptAt = rec.find((r) => r.frame.kind === 'interrupt')?.at ?? 0;
    const laterTexts = s.tts.calls.filter((c) => c.at > interruptAt && !c.aborted).map((c) => c.text);
    expect(laterTexts).toEqual(['Sure.']);
    expect(s.sink.plays.map((p) => p.ms)).toEqual([920, 200]);
    expect(s.calls[1]?.signal.aborted).toBe(false);
    await s.vp.pipeline.stop();
  });

  test('two users speaking at the same time are kept apart (one endpointer per user)', async () => {
    const loudness = (audio: Pcm) => (rms(audio.samples) > 600 ? 'loud' : 'quiet');
    const stt = new FakeSpeechToText(loudness, 5);
    const s = await setup({ stt });
    const rec = record(s.vp.pipeline);
    feedTogether(s.vp.pipeline, [
      { userId: 'ann', pcm: spokenClip({ leadMs: 300, gain: 1, seed: 1 }) },
      { userId: 'bob', pcm: spokenClip({ leadMs: 700, gain: 0.25, seed: 3 }) },
    ]);
    await s.vp.pipeline.idle();
    const utterances = kinds(rec, 'utterance') as FrameOf<'utterance'>[];
    expect(utterances.map((u) => u.userId).sort()).toEqual(['ann', 'bob']);
    for (const u of utterances) expect(u.endMs - u.startMs).toBeLessThan(2600);
    const transcripts = (kinds(rec, 'transcript') as FrameOf<'transcript'>[]).map((t) => `${t.userId}:${t.text}`).sort();
    expect(transcripts).toEqual(['ann:loud', 'bob:quiet']);
    expect(s.calls.map((c) => c.transcript.userId).sort()).toEqual(['ann', 'bob']);
    await s.vp.pipeline.stop();
  });

  test('an STT failure is reported and the next utterance is still handled', async () => {
    const stt = new FakeSpeechToText('second try', 5).enqueue(new SpeechError('network', 'stt unreachable'));
    const s = await setup({ stt });
    const rec = record(s.vp.pipeline);
    feed(s.vp.pipeline, 'u1', spokenClip());
    await s.vp.pipeline.idle();
    feed(s.vp.pipeline, 'u1', spokenClip({ seed: 9 }));
    await s.vp.pipeline.idle();
    expect(kinds(rec, 'error')).toMatchObject([{ stage: 'transcribe', userId: 'u1' }]);
    expect(kinds(rec, 'transcript')).toMatchObject([{ text: 'second try' }]);
    expect(s.calls).toHaveLength(1);
    expect(s.sink.plays.length).toBeGreaterThan(0);
    await s.vp.pipeline.stop();
  });

  test('a TTS failure skips that sentence; the rest of the reply and the next turn are spoken', async () => {
    const tts = new FakeTextToSpeech(5, 10, (t) => t.startsWith('You said'));
    const s = await setup({ tts });
    const rec = record(s.vp.pipeline);
    feed(s.vp.pipeline, 'u1', spokenClip());
    await s.vp.pipeline.idle();
    expect(kinds(rec, 'error')).toMatchObject([{ stage: 'synthesize' }]);
    expect(s.sink.plays.map((p) => p.ms)).toEqual([50]);
    feed(s.vp.pipeline, 'u1', spokenClip({ seed: 4 }));
    await s.vp.pipeline.idle();
    expect(s.calls).toHaveLength(2);
    expect(s.sink.plays.map((p) => p.ms)).toEqual([50, 50]);
    await s.vp.pipeline.stop();
  });

  test('an interrupt pushed from outside cuts speak() and a reply in flight; the pipeline ends idle', async () => {
    const s = await setup({ sink: new FakeAudioSink(1), deltas: () => ['A long answer. ', 'More. ', 'More. ', 'More.'], gapMs: 100 });
    const spoken = speak(s.vp, 'This sentence takes a good while to say.');
    feed(s.vp.pipeline, 'u1', spokenClip());
    while (s.calls.length === 0) await delay(5);
    s.vp.pipeline.push({ kind: 'interrupt', userId: null });
    expect(await spoken).toBe(false);
    await s.vp.pipeline.idle();
    expect(s.sink.plays[0]?.stopped).toBe(true);
    expect(s.calls[0]?.signal.aborted).toBe(true);
    expect(s.vp.activity.snapshot).toEqual({ busy: false, audible: false });
    await s.vp.pipeline.stop();
  });

  test('speak() says text through splitter, TTS and playback and resolves once played', async () => {
    const s = await setup();
    expect(await speak(s.vp, 'Hello. Goodbye.')).toBe(true);
    expect(s.tts.calls.map((c) => c.text)).toEqual(['Hello.', 'Goodbye.']);
    expect(s.sink.plays).toHaveLength(2);
    await s.vp.pipeline.stop();
    expect(await speak(s.vp, 'Too late.')).toBe(false);
  });
});
