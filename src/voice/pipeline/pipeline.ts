/**
 * Runs stages in order, pipecat style: each stage has input lanes (one, or one per user) processed one frame at a
 * time; what a stage pushes goes to the next stage. Interrupt frames skip the queues (and purge queued reply
 * frames); error frames go to observers only.
 *
 *   const p = new Pipeline([downmix, endpoint, ...]);
 *   p.observe((f) => ...);  await p.start();  p.push({ kind: 'audio', userId, pcm });  await p.stop();
 */
import { frameUser, isReplyFrame, isUrgentFrame, type Push, type Stage, type VoiceFrame } from './frames.js';

export type FrameObserver = (frame: VoiceFrame, from: string) => void;

interface Lane {
  queue: VoiceFrame[];
  running: boolean;
}

const STOP_WAIT_MS = 2000;

export class Pipeline {
  private readonly lanes: Map<string, Lane>[];
  private readonly observers = new Set<FrameObserver>();
  private readonly running = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private status: 'new' | 'started' | 'stopped' = 'new';

  constructor(readonly stages: readonly Stage[]) {
    const names = new Set(stages.map((s) => s.name));
    if (names.size !== stages.length) throw new Error('Pipeline: stage names must be unique');
    this.lanes = stages.map(() => new Map());
  }

  get stopped(): boolean {
    return this.status === 'stopped';
  }

  async start(): Promise<void> {
    if (this.status !== 'new') throw new Error(`Pipeline: cannot start when ${this.status}`);
    for (const stage of this.stages) await stage.start?.();
    this.status = 'started';
  }

  /**
   * Called once per frame: when it enters the pipeline (from 'input') or when a stage creates it (from that stage).
   * Frames a stage passes on unchanged are not reported again.
   */
  observe(fn: FrameObserver): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  /** Feeds a frame to the first stage. Ignored once stopped. */
  push(frame: VoiceFrame): void {
    this.route(-1, 'input', frame);
  }

  /** Feeds a frame to the named stage (e.g. text to speak into 'sentence-split'). */
  inject(stageName: string, frame: VoiceFrame): void {
    const index = this.stages.findIndex((s) => s.name === stageName);
    if (index < 0) throw new Error(`Pipeline: no stage named ${stageName}`);
    this.route(index - 1, 'input', frame);
  }

  /** Resolves when no frame is queued or being processed and every stage's own work is done. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.busy()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      for (const stage of this.stages) await stage.idle?.();
      if (!this.busy()) return;
    }
  }

  /** Drops queued frames, stops every stage, waits (bounded) for running process() calls. */
  async stop(): Promise<void> {
    if (this.status === 'stopped') return;
    this.status = 'stopped';
    for (const lanes of this.lanes) for (const lane of lanes.values()) lane.queue.length = 0;
    for (const stage of this.stages) {
      try {
        await stage.stop?.();
      } catch (error) {
        this.notify({ kind: 'error', stage: stage.name, error }, stage.name);
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
    await Promise.race([Promise.allSettled([...this.running]), timeout]);
    clearTimeout(timer);
    this.wakeIdle();
  }

  /** A frame pushed by stage `from` (-1: input) goes to stage from + 1. */
  private route(from: number, fromName: string, frame: VoiceFrame, passedOn = false): void {
    if (this.status === 'stopped') return;
    if (!passedOn) this.notify(frame, fromName);
    if (frame.kind === 'error') return;
    const next = from + 1;
    if (next >= this.stages.length) return;
    if (isUrgentFrame(frame)) {
      this.purgeReplies(next);
      this.deliver(next, frame);
      return;
    }
    const stage = this.stages[next] as Stage;
    const key = stage.lanes === 'user' ? (frameUser(frame) ?? '') : '';
    const lanes = this.lanes[next] as Map<string, Lane>;
    let lane = lanes.get(key);
    if (!lane) lanes.set(key, (lane = { queue: [], running: false }));
    lane.queue.push(frame);
    if (!lane.running) this.track(this.drain(next, lane));
  }

  private async drain(index: number, lane: Lane): Promise<void> {
    lane.running = true;
    try {
      for (let frame = lane.queue.shift(); frame; frame = lane.queue.shift()) {
        await this.runStage(index, frame);
      }
    } finally {
      lane.running = false;
    }
  }

  /** Urgent frames: processed at once, alongside whatever the stage is doing. */
  private deliver(index: number, frame: VoiceFrame): void {
    this.track(this.runStage(index, frame));
  }

  private async runStage(index: number, frame: VoiceFrame): Promise<void> {
    const stage = this.stages[index] as Stage;
    const push: Push = (out) => this.route(index, stage.name, out, out === frame);
    try {
      await stage.process(frame, push);
    } catch (error) {
      const userId = frameUser(frame);
      this.route(index, stage.name, { kind: 'error', stage: stage.name, error, ...(userId ? { userId } : {}) });
    }
  }

  private purgeReplies(fromIndex: number): void {
    for (let i = fromIndex; i < this.lanes.length; i++) {
      for (const lane of (this.lanes[i] as Map<string, Lane>).values()) {
        const keep = lane.queue.filter((f) => !isReplyFrame(f));
        lane.queue.length = 0;
        lane.queue.push(...keep);
      }
    }
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      if (!this.busy()) this.wakeIdle();
    });
  }

  private busy(): boolean {
    if (this.status === 'stopped') return false;
    return this.running.size > 0;
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private notify(frame: VoiceFrame, from: string): void {
    for (const fn of this.observers) {
      try {
        fn(frame, from);
      } catch {
        /* an observer's failure must not break the pipeline */
      }
    }
  }
}
