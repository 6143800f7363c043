/**
 * Playback stage: queues 'speech' frames and plays them one after another into an AudioSink. A turn stays audible
 * until its 'reply-end' has been reached in the queue; an 'interrupt' clears the queue and stops the sink.
 */
import type { Pcm } from '../../ports.js';
import type { BotActivity } from '../activity.js';
import type { Push, Stage, VoiceFrame } from '../frames.js';
import type { AudioSink } from '../sink.js';

type Item = { type: 'speech'; turn: number; pcm: Pcm } | { type: 'end'; turn: number };

export class PlaybackStage implements Stage {
  readonly name = 'playback';
  private readonly queue: Item[] = [];
  /** Turns with speech queued or played whose end has not been reached. */
  private readonly openTurns = new Set<number>();
  private playing = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly sink: AudioSink,
    private readonly activity: BotActivity,
  ) {}

  process(frame: VoiceFrame, push: Push): void {
    if (frame.kind === 'speech') {
      if (this.activity.isCancelled(frame.turn) || this.stopped) return;
      this.openTurns.add(frame.turn);
      this.enqueue({ type: 'speech', turn: frame.turn, pcm: frame.pcm }, push);
    } else if (frame.kind === 'reply-end') {
      this.enqueue({ type: 'end', turn: frame.turn }, push);
    } else if (frame.kind === 'interrupt') {
      this.activity.cancelAll(frame.userId);
      this.interrupt();
    }
    push(frame);
  }

  async idle(): Promise<void> {
    while (this.running && this.loop) await this.loop;
  }

  stop(): void {
    this.stopped = true;
    this.activity.cancelAll(null);
    this.interrupt();
  }

  private interrupt(): void {
    this.queue.length = 0;
    const cut = [...this.openTurns];
    this.openTurns.clear();
    if (this.playing) this.sink.stop();
    this.updateAudible();
    for (const turn of cut) this.activity.played(turn, true);
  }

  private enqueue(item: Item, push: Push): void {
    this.queue.push(item);
    this.updateAudible();
    if (this.running) return;
    this.running = true;
    this.loop = this.run(push);
  }

  /** Plays until the queue is empty; `running` drops in the same tick the queue is found empty. */
  private async run(push: Push): Promise<void> {
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        if (item.type === 'end') this.endTurn(item.turn);
        else if (!this.activity.isCancelled(item.turn)) await this.play(item.pcm, push);
      }
    } finally {
      this.running = false;
      this.updateAudible();
    }
  }

  private endTurn(turn: number): void {
    const wasOpen = this.openTurns.delete(turn);
    if (!this.activity.isCancelled(turn)) this.activity.played(turn, false);
    else if (wasOpen) this.activity.played(turn, true);
    this.updateAudible();
  }

  private async play(pcm: Pcm, push: Push): Promise<void> {
    this.playing = true;
    try {
      await this.sink.play(pcm);
    } catch (error) {
      push({ kind: 'error', stage: this.name, error });
    } finally {
      this.playing = false;
    }
  }

  private updateAudible(): void {
    this.activity.setAudible(this.playing || this.queue.length > 0 || this.openTurns.size > 0);
  }
}
