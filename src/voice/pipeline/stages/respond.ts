/**
 * Respond stage: 'transcript' → 'reply-delta'* + 'reply-end' through an injected `respond` function (the
 * conversation/LLM part, so the text channel's conversation can be reused). One reply at a time; an 'interrupt'
 * aborts the reply in flight through its AbortSignal.
 */
import type { BotActivity } from '../activity.js';
import type { FrameOf, Push, Stage, VoiceFrame, VoiceTranscript } from '../frames.js';

/** Yields the reply's text deltas; must stop (or throw) when `signal` aborts. */
export type RespondFn = (transcript: VoiceTranscript, opts: { signal: AbortSignal }) => AsyncIterable<string>;

const ABORTED = Symbol('aborted');

export class RespondStage implements Stage {
  readonly name = 'respond';
  private current: AbortController | undefined;

  constructor(
    private readonly respond: RespondFn,
    private readonly activity: BotActivity,
  ) {}

  async process(frame: VoiceFrame, push: Push): Promise<void> {
    if (frame.kind === 'interrupt') {
      this.activity.cancelAll(frame.userId);
      this.current?.abort();
      push(frame);
      return;
    }
    if (frame.kind !== 'transcript') {
      push(frame);
      return;
    }
    await this.reply(frame, push);
  }

  stop(): void {
    this.current?.abort();
  }

  private async reply(t: FrameOf<'transcript'>, push: Push): Promise<void> {
    const abort = new AbortController();
    this.current = abort;
    const turn = this.activity.nextTurn();
    this.activity.beginReply(turn);
    const inReplyTo: VoiceTranscript = { userId: t.userId, speaker: t.speaker, text: t.text };
    let text = '';
    try {
      const deltas = this.respond(inReplyTo, { signal: abort.signal });
      const it = deltas[Symbol.asyncIterator]();
      for (;;) {
        const next = await untilAborted(it.next(), abort.signal);
        if (next === ABORTED) {
          void it.return?.()?.catch(() => undefined);
          break;
        }
        if (next.done) break;
        if (!next.value) continue;
        text += next.value;
        push({ kind: 'reply-delta', turn, text: next.value });
      }
    } catch (error) {
      if (!abort.signal.aborted) push({ kind: 'error', stage: this.name, error, userId: t.userId });
    } finally {
      if (this.current === abort) this.current = undefined;
      const interrupted = abort.signal.aborted || this.activity.isCancelled(turn);
      push({ kind: 'reply-end', turn, text, interrupted, inReplyTo });
    }
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) resolve(ABORTED);
        else reject(err);
      },
    );
  });
}
