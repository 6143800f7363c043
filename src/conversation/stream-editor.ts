import { setTimeout as delay } from 'node:timers/promises';
import { renderChunk, splitWithFences } from './split.js';

export interface StreamingReplyOptions {
  /** Minimum time between two edits (sends of new messages are not throttled). */
  intervalMs: number;
  /** Maximum length of one message. */
  limit?: number;
  /** `final`: this message is the whole reply and the stream has ended (it can carry the buttons at once). */
  send: (text: string, final: boolean) => Promise<{ id: string }>;
  edit: (id: string, text: string) => Promise<void>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface StreamingResult {
  /** Final text of each message, in order. */
  parts: string[];
  messageIds: string[];
  edits: number;
}

interface Shown {
  id: string;
  text: string;
}

const TICK = Symbol('tick');
const visible = (text: string) => /\S/.test(text);

/**
 * Shows a streamed LLM reply as it arrives: the first message is sent once there is visible text
 * (see the lookahead below), then edited with the accumulated text at most once per `intervalMs` (deltas in between are
 * coalesced; a timer flushes pending text even when the stream stalls). Text beyond `limit` is cut
 * with splitMessage's rules: the current message is edited to its final part and the rest
 * continues in new messages (code blocks closed and reopened). When the stream ends, a last edit
 * (waiting out the interval if needed) makes every message show its final text.
 *
 * Lookahead: the first visible text is held until the stream ends or `intervalMs` passes, whichever is
 * first. A reply that ends within that window and fits one message is sent once with `final` set (no edits
 * at all: the caller can attach its buttons to that send); longer or slower replies take the path above,
 * their first message shown at most `intervalMs` after their first text.
 *
 * If the stream throws, the text received so far is still flushed (best effort) and the stream's
 * error is rethrown: the partial reply stays visible and the caller should append an apology.
 * If send/edit throws, that error propagates and the stream is closed (its `return()` is called).
 * Whitespace-only parts are never sent. One instance handles one stream.
 */
export class StreamingReply {
  private readonly intervalMs: number;
  private readonly limit: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Text of the current (last, still growing) message; may start with a reopened code fence. */
  private source = '';
  private current: Shown | null = null;
  private readonly done: Shown[] = [];
  private edits = 0;
  private lastUpdate = Number.NEGATIVE_INFINITY;
  private timer: { deadline: number; fired: Promise<typeof TICK> } | null = null;
  private started = false;
  /** When the first visible text arrived (held back until then + intervalMs at most). */
  private firstAt: number | null = null;

  constructor(private readonly opts: StreamingReplyOptions) {
    if (!(opts.intervalMs >= 0)) throw new RangeError(`intervalMs must be >= 0, got ${opts.intervalMs}`);
    this.intervalMs = opts.intervalMs;
    this.limit = opts.limit ?? 2000;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => delay(ms, undefined, { ref: false }));
  }

  async run(deltas: AsyncIterable<string>): Promise<StreamingResult> {
    if (this.started) throw new Error('StreamingReply.run() can only be called once');
    this.started = true;
    const it = deltas[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<string>> | undefined = it.next();
    try {
      while (pending) {
        const step = await this.waitFor(pending).catch(async (err: unknown) => {
          pending = undefined;
          await this.finish(false).catch(() => undefined);
          throw err;
        });
        if (step === TICK) {
          this.timer = null;
          if (this.elapsed()) await this.apply();
        } else if (step.done) {
          pending = undefined;
        } else {
          this.source += step.value;
          pending = it.next();
          if (this.current) {
            if (this.elapsed()) await this.apply();
          } else if (this.firstAt === null && visible(this.source)) {
            this.firstAt = this.now(); // held until the stream ends or intervalMs passes (TICK)
          }
        }
      }
      await this.finish(true);
      return this.result();
    } finally {
      if (pending) abandon(it, pending);
    }
  }

  private elapsed(): boolean {
    return this.now() - this.lastUpdate >= this.intervalMs;
  }

  private dirty(): boolean {
    return this.current ? this.source !== this.current.text : visible(this.source);
  }

  /** The next stream step, or TICK when a throttled edit is due first. */
  private waitFor(pending: Promise<IteratorResult<string>>): Promise<IteratorResult<string> | typeof TICK> {
    if (!this.dirty()) return pending;
    const deadline = (this.current ? this.lastUpdate : (this.firstAt ?? this.now())) + this.intervalMs;
    let timer = this.timer;
    if (timer?.deadline !== deadline) {
      timer = { deadline, fired: this.sleep(Math.max(0, deadline - this.now())).then(() => TICK) };
      this.timer = timer;
    }
    return Promise.race([pending, timer.fired]);
  }

  /** Shows the current source: edits the current message, finalizing and sending parts on overflow. */
  private async apply(final = false): Promise<void> {
    const chunks = splitWithFences(this.source, this.limit);
    for (const [i, chunk] of chunks.entries()) {
      if (i === chunks.length - 1) {
        this.source = chunk.open + chunk.body;
        await this.show(renderChunk(chunk), final && chunks.length === 1);
      } else {
        await this.show(renderChunk(chunk));
        if (this.current) this.done.push(this.current);
        this.current = null;
      }
    }
  }

  private async show(text: string, final = false): Promise<void> {
    if (!visible(text) || text === this.current?.text) return;
    this.lastUpdate = this.now();
    if (this.current) {
      await this.opts.edit(this.current.id, text);
      this.edits++;
      this.current.text = text;
    } else {
      const { id } = await this.opts.send(text, final && this.done.length === 0);
      this.current = { id, text };
    }
  }

  /** `ended`: the stream ended normally (a reply not shown yet is then sent whole, `final`). */
  private async finish(ended: boolean): Promise<void> {
    if (!this.dirty()) return;
    const wait = this.current ? this.lastUpdate + this.intervalMs - this.now() : 0;
    if (wait > 0) await this.sleep(wait);
    await this.apply(ended && !this.current);
  }

  private result(): StreamingResult {
    const messages = this.current ? [...this.done, this.current] : [...this.done];
    return { parts: messages.map((m) => m.text), messageIds: messages.map((m) => m.id), edits: this.edits };
  }
}

/** Stops consuming a stream early without leaving an unhandled rejection behind. */
function abandon(it: AsyncIterator<string>, pending: Promise<unknown>): void {
  pending.catch(() => undefined);
  try {
    void Promise.resolve(it.return?.()).catch(() => undefined);
  } catch {
    // a throwing return() has nothing left to clean up
  }
}
