import { describe, expect, test, vi } from 'vitest';
import type { Push, Stage, VoiceFrame } from '../../../src/voice/pipeline/frames.js';
import { Pipeline } from '../../../src/voice/pipeline/pipeline.js';
import { delay } from '../../fakes/speech.js';

const pcm = { samples: new Int16Array(0), sampleRate: 16_000, channels: 1 };
const utterance = (userId: string, startMs = 0): VoiceFrame => ({
  kind: 'utterance',
  userId,
  pcm,
  startMs,
  endMs: startMs + 1,
  reason: 'silence',
});

/** A stage that records what it sees and passes it on after `ms` (per frame). */
function slowStage(name: string, ms: number, lanes: 'user' | 'single', log: string[]): Stage {
  return {
    name,
    lanes,
    async process(frame: VoiceFrame, push: Push) {
      const id = frame.kind === 'utterance' ? `${frame.userId}@${frame.startMs}` : frame.kind;
      log.push(`${name}:start:${id}`);
      if (frame.kind !== 'interrupt') await delay(ms);
      log.push(`${name}:end:${id}`);
      push(frame);
    },
  };
}

describe('Pipeline', () => {
  test('frames pass the stages in order; observers see each frame once, where it was created', async () => {
    const log: string[] = [];
    const p = new Pipeline([slowStage('a', 1, 'single', log), slowStage('b', 1, 'single', log)]);
    const seen: string[] = [];
    p.observe((f, from) => seen.push(`${from}:${f.kind}`));
    await p.start();
    p.push(utterance('u1'));
    await p.idle();
    expect(log).toEqual(['a:start:u1@0', 'a:end:u1@0', 'b:start:u1@0', 'b:end:u1@0']);
    expect(seen).toEqual(['input:utterance']);
    const maker: Stage = { name: 'maker', process: (f, push) => push({ kind: 'user-started', userId: 'u1' }) };
    const q = new Pipeline([maker, slowStage('c', 0, 'single', log)]);
    const seenQ: string[] = [];
    q.observe((f, from) => seenQ.push(`${from}:${f.kind}`));
    await q.start();
    q.push(utterance('u1'));
    await q.idle();
    expect(seenQ).toEqual(['input:utterance', 'maker:user-started']);
    await q.stop();
    await p.stop();
  });

  test("a 'user' stage runs users concurrently but each user's frames in order; a 'single' stage runs one at a time", async () => {
    const log: string[] = [];
    const p = new Pipeline([slowStage('per', 30, 'user', log)]);
    await p.start();
    p.push(utterance('u1', 0));
    p.push(utterance('u2', 0));
    p.push(utterance('u1', 1));
    await p.idle();
    // u2 starts before u1's first frame ends; u1's second frame waits for its first.
    expect(log.indexOf('per:start:u2@0')).toBeLessThan(log.indexOf('per:end:u1@0'));
    expect(log.indexOf('per:start:u1@1')).toBeGreaterThan(log.indexOf('per:end:u1@0'));

    const log2: string[] = [];
    const q = new Pipeline([slowStage('one', 10, 'single', log2)]);
    await q.start();
    q.push(utterance('u1'));
    q.push(utterance('u2'));
    await q.idle();
    expect(log2).toEqual(['one:start:u1@0', 'one:end:u1@0', 'one:start:u2@0', 'one:end:u2@0']);
    await Promise.all([p.stop(), q.stop()]);
  });

  test('an interrupt skips the queues, reaches a busy stage at once, and purges queued reply frames only', async () => {
    const seenByLast: string[] = [];
    let busyWith = '';
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const busy: Stage = {
      name: 'busy',
      async process(frame, push) {
        busyWith = frame.kind;
        if (frame.kind === 'transcript') await held; // busy until the test lets it go
        push(frame);
      },
    };
    const last: Stage = {
      name: 'last',
      process(frame) {
        seenByLast.push(frame.kind === 'sentence' ? `sentence:${frame.text}` : frame.kind);
      },
    };
    const p = new Pipeline([busy, last]);
    await p.start();
    p.push({ kind: 'transcript', userId: 'u', speaker: 'U', text: 'x', startMs: 0, endMs: 1, audio: pcm });
    p.push({ kind: 'sentence', turn: 1, text: 'queued' });
    p.push(utterance('u'));
    await vi.waitFor(() => expect(busyWith).toBe('transcript'), { interval: 1 });
    p.push({ kind: 'interrupt', userId: 'u' });
    await vi.waitFor(() => expect(seenByLast).toContain('interrupt'), { interval: 1 });
    expect(seenByLast).toEqual(['interrupt']);
    release();
    await p.idle();
    expect(seenByLast).toEqual(['interrupt', 'transcript', 'utterance']);
    await p.stop();
  });

  test('a stage that throws yields an error frame for observers and the next frame is still processed', async () => {
    let calls = 0;
    const flaky: Stage = {
      name: 'flaky',
      process(frame, push) {
        calls++;
        if (calls === 1) throw new Error('boom');
        push(frame);
      },
    };
    const p = new Pipeline([flaky]);
    const seen: VoiceFrame[] = [];
    p.observe((f) => seen.push(f));
    await p.start();
    p.push(utterance('u1'));
    p.push(utterance('u1', 5));
    await p.idle();
    const error = seen.find((f) => f.kind === 'error');
    expect(error).toMatchObject({ kind: 'error', stage: 'flaky', userId: 'u1' });
    const out: VoiceFrame[] = [];
    const tail: Stage = { name: 'tail', process: (f) => void out.push(f) };
    const q = new Pipeline([flaky, tail]);
    await q.start();
    q.push(utterance('u1', 7));
    await q.idle();
    expect(out).toMatchObject([{ kind: 'utterance', startMs: 7 }]);
  });

  test('stop() stops every stage once, drops queued frames, and ignores later pushes', async () => {
    const stopped: string[] = [];
    const processed: string[] = [];
    const ended: string[] = [];
    const stage = (name: string): Stage => ({
      name,
      async process(f, push) {
        processed.push(name);
        await delay(20);
        push(f);
        ended.push(name);
      },
      stop: () => void stopped.push(name),
    });
    const p = new Pipeline([stage('a'), stage('b')]);
    await p.start();
    p.push(utterance('u'));
    p.push(utterance('u', 1));
    await vi.waitFor(() => expect(processed).toEqual(['a']), { interval: 1 });
    await p.stop(); // waits for a's running process(), whose push is then dropped
    expect(ended).toEqual(['a']);
    await p.stop();
    p.push(utterance('u', 2)); // dropped at once
    expect(stopped).toEqual(['a', 'b']);
    expect(processed).toEqual(['a']);
    expect(p.stopped).toBe(true);
  });

  test('inject() enters at the named stage; duplicate stage names are refused', async () => {
    const log: string[] = [];
    const p = new Pipeline([slowStage('a', 0, 'single', log), slowStage('b', 0, 'single', log)]);
    await p.start();
    p.inject('b', utterance('u'));
    await p.idle();
    expect(log).toEqual(['b:start:u@0', 'b:end:u@0']);
    expect(() => p.inject('nope', utterance('u'))).toThrow(/no stage/);
    expect(() => new Pipeline([slowStage('a', 0, 'single', []), slowStage('a', 0, 'single', [])])).toThrow(/unique/);
    await p.stop();
  });
});
