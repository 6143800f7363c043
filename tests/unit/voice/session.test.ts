import { afterEach, describe, expect, test, vi } from 'vitest';
import { createVoicePipeline } from '../../../src/voice/pipeline/build.js';
import type { ReplyEvent, TranscriptEvent } from '../../../src/voice/session/hooks.js';
import { VoiceSession, type VoiceSessionOptions } from '../../../src/voice/session/session.js';
import { InvalidTransitionError, type VoiceSessionStatus } from '../../../src/voice/session/state.js';
import { FakeSpeechToText, FakeTextToSpeech } from '../../fakes/speech.js';
import { FakeLink, scriptedRespond, spokenClip } from './helpers.js';

function makeSession(opts: Partial<VoiceSessionOptions> = {}, link = new FakeLink()) {
  const { respond, calls } = scriptedRespond(() => ({ deltas: ['Sure thing. ', 'Done.'], gapMs: 20 }));
  const stt = new FakeSpeechToText('hello bot', 5);
  const voice = createVoicePipeline({
    stt,
    tts: new FakeTextToSpeech(5),
    respond,
    sink: link.sink,
    endpoint: { vad: 'energy', silenceMs: 400 },
  });
  const transcripts: TranscriptEvent[] = [];
  const replies: ReplyEvent[] = [];
  const session = new VoiceSession(
    link,
    voice,
    { channelId: 'vc1', ...opts },
    {
      onTranscript: (e) => transcripts.push(e),
      onReply: (e) => replies.push(e),
    },
  );
  const statuses: VoiceSessionStatus[] = [];
  session.on('stateChange', (old, next) => {
    expect(old.status).toBe(statuses.at(-1) ?? 'idle');
    statuses.push(next.status);
  });
  return { session, link, voice, statuses, transcripts, replies, calls, stt };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('VoiceSession', () => {
  test('start: idle → connecting → listening; a spoken turn goes thinking → speaking → listening; hooks get transcript and reply', async () => {
    const s = makeSession();
    expect(s.session.state).toEqual({ status: 'idle' });
    await s.session.start();
    expect(s.session.state).toMatchObject({ status: 'listening', channelId: 'vc1' });
    s.link.handlers?.audio('u1', spokenClip());
    await s.voice.pipeline.idle();
    expect(s.statuses).toEqual(['connecting', 'listening', 'thinking', 'speaking', 'listening']);
    expect(s.transcripts).toMatchObject([{ userId: 'u1', speaker: 'u1', text: 'hello bot' }]);
    expect(s.transcripts[0]?.audio.sampleRate).toBe(16_000);
    expect(s.replies).toEqual([
      { text: 'Sure thing. Done.', interrupted: false, inReplyTo: { userId: 'u1', speaker: 'u1', text: 'hello bot' } },
    ]);
    expect(s.link.sink.plays).toHaveLength(2);
    await s.session.leave();
    expect(s.statuses.slice(-2)).toEqual(['leaving', 'destroyed']);
    expect(s.link.destroyed).toBe(1);
    expect(s.voice.pipeline.stopped).toBe(true);
  });

  test('invalid transitions throw and leave the state unchanged', async () => {
    const s = makeSession();
    expect(() => (s.session.state = { status: 'speaking', channelId: 'vc1', since: 0 })).toThrow(InvalidTransitionError);
    expect(s.session.state.status).toBe('idle');
    await s.session.start();
    expect(() => (s.session.state = { status: 'connecting', channelId: 'vc1' })).toThrow(/listening to connecting/);
    await s.session.destroy('test');
    expect(s.session.state).toEqual({ status: 'destroyed', reason: 'test' });
    expect(() => (s.session.state = { status: 'idle' })).toThrow(InvalidTransitionError);
    expect(() => (s.session.state = { status: 'destroyed', reason: 'again' })).toThrow(InvalidTransitionError);
    await expect(s.session.destroy()).resolves.toBeUndefined();
  });

  test('leaves after aloneTimeoutMs alone; company in time cancels it; timers are cleared on destroy', async () => {
    vi.useFakeTimers();
    const s = makeSession({ aloneTimeoutMs: 30_000 });
    await s.session.start();
    s.session.setCompany(0);
    await vi.advanceTimersByTimeAsync(20_000);
    s.session.setCompany(2);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(s.session.state.status).toBe('listening');
    s.session.setCompany(0);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(s.session.state.status).toBe('listening');
    await vi.advanceTimersByTimeAsync(1);
    expect(s.session.state).toEqual({ status: 'destroyed', reason: 'alone in the channel' });
    expect(s.statuses.slice(-2)).toEqual(['leaving', 'destroyed']);
    expect(s.link.destroyed).toBe(1);

    const t = makeSession({ aloneTimeoutMs: 30_000 });
    await t.session.start();
    t.session.setCompany(0);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await t.session.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });

  test('a dropped connection: reconnecting, audio ignored meanwhile, listening again when ready', async () => {
    const s = makeSession({ reconnectTimeoutMs: 5000 });
    await s.session.start();
    s.link.status('down');
    expect(s.session.state.status).toBe('reconnecting');
    s.link.handlers?.audio('u1', spokenClip());
    s.link.handlers?.audioEnd('u1');
    await s.voice.pipeline.idle();
    expect(s.stt.calls).toHaveLength(0);
    s.link.status('ready');
    expect(s.session.state.status).toBe('listening');
    s.link.handlers?.audio('u1', spokenClip());
    await s.voice.pipeline.idle();
    expect(s.stt.calls).toHaveLength(1);
    await s.session.destroy();
  });

  test('a connection that does not come back within reconnectTimeoutMs, or is gone, destroys the session', async () => {
    vi.useFakeTimers();
    const s = makeSession({ reconnectTimeoutMs: 5000 });
    await s.session.start();
    s.link.status('down');
    await vi.advanceTimersByTimeAsync(4999);
    expect(s.session.state.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(s.session.state).toEqual({ status: 'destroyed', reason: 'reconnect timed out' });

    const t = makeSession();
    await t.session.start();
    t.link.status('gone');
    expect(t.session.state).toEqual({ status: 'destroyed', reason: 'voice connection lost' });
    expect(t.link.destroyed).toBe(1);
  });

  test('a failed or timed-out connect rejects start() and destroys the session', async () => {
    const failing = new FakeLink(false);
    const s = makeSession({}, failing);
    const started = s.session.start();
    failing.finishConnect(new Error('no voice server'));
    await expect(started).rejects.toThrow('no voice server');
    expect(s.session.state).toMatchObject({ status: 'destroyed', reason: 'connect failed: no voice server' });
    expect(s.statuses).toEqual(['connecting', 'destroyed']);

    vi.useFakeTimers();
    const slow = new FakeLink(false);
    const t = makeSession({ connectTimeoutMs: 1000 }, slow);
    const pending = t.session.start();
    const outcome = pending.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toMatchObject({ message: 'voice connection timed out' });
    expect(slow.connectSignal?.aborted).toBe(true);
    expect(t.session.state.status).toBe('destroyed');
  });

  test('a link that reports "gone" while being destroyed (as the Discord link does): start() rejects with the real error', async () => {
    // DiscordVoiceLink.destroy() destroys the VoiceConnection, whose Destroyed state reports 'gone' synchronously.
    class GoneOnDestroy extends FakeLink {
      override destroy(): void {
        super.destroy();
        if (this.destroyed === 1) this.status('gone'); // a destroyed connection is not destroyed (nor reported) again
      }
    }
    const failing = new GoneOnDestroy(false);
    const s = makeSession({}, failing);
    const started = s.session.start();
    failing.finishConnect(new Error('UDP socket closed'));
    await expect(started).rejects.toThrow('UDP socket closed');
    expect(s.session.state).toEqual({ status: 'destroyed', reason: 'connect failed: UDP socket closed' });
    expect(s.statuses).toEqual(['connecting', 'destroyed']);

    // The same link destroyed from a connected state (reconnect timeout, shutdown): one 'destroyed', no throw.
    const t = makeSession({}, new GoneOnDestroy());
    await t.session.start();
    await t.session.destroy('shutting down');
    expect(t.session.state).toEqual({ status: 'destroyed', reason: 'shutting down' });
    expect(t.statuses).toEqual(['connecting', 'listening', 'destroyed']);
    await t.session.destroy('again');
    expect(t.statuses).toEqual(['connecting', 'listening', 'destroyed']);
  });

  test('say() speaks while connected and is refused otherwise', async () => {
    const s = makeSession();
    expect(await s.session.say('Not yet.')).toBe(false);
    await s.session.start();
    expect(await s.session.say('Hello everyone.')).toBe(true);
    expect(s.link.sink.plays).toHaveLength(1);
    expect(s.replies).toEqual([]);
    await s.session.destroy();
  });
});
