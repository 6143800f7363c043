/**
 * What the bot is doing in a voice pipeline, shared by the stages that cause it (respond, playback) and those that
 * react to it (barge-in, the session's thinking/speaking states).
 */
import { EventEmitter } from 'node:events';

export interface ActivitySnapshot {
  /** A reply has begun and has not been played to its end (or cancelled) yet. */
  busy: boolean;
  /** Speech is playing, queued, or its turn has not ended yet. */
  audible: boolean;
}

export type ActivityEvents = {
  change: [ActivitySnapshot];
  /** A turn's audio finished playing (or was cut by an interrupt). */
  played: [{ turn: number; interrupted: boolean }];
  interrupted: [{ userId: string | null }];
};

export class BotActivity extends EventEmitter<ActivityEvents> {
  private turnCounter = 0;
  /** Every turn up to this one is cancelled. */
  private cancelledUpTo = 0;
  /** Replies begun and not yet played to their end. */
  private readonly openTurns = new Set<number>();
  private isAudible = false;

  /** A new turn number (replies and say() share one sequence). */
  nextTurn(): number {
    return ++this.turnCounter;
  }

  isCancelled(turn: number): boolean {
    return turn <= this.cancelledUpTo;
  }

  /** Cancels every turn started so far (nothing happens when they already are). */
  cancelAll(userId: string | null): void {
    if (this.cancelledUpTo === this.turnCounter && this.openTurns.size === 0) return;
    this.cancelledUpTo = this.turnCounter;
    this.emit('interrupted', { userId });
    if (this.openTurns.size > 0) {
      this.openTurns.clear();
      this.emit('change', this.snapshot);
    }
  }

  get snapshot(): ActivitySnapshot {
    return { busy: this.openTurns.size > 0, audible: this.isAudible };
  }

  /** A reply to a user begins (the bot is busy until played() or cancelAll()). */
  beginReply(turn: number): void {
    this.openTurns.add(turn);
    if (this.openTurns.size === 1) this.emit('change', this.snapshot);
  }

  setAudible(audible: boolean): void {
    if (this.isAudible === audible) return;
    this.isAudible = audible;
    this.emit('change', this.snapshot);
  }

  /** Playback reached the end of a turn (or an interrupt cut it). */
  played(turn: number, interrupted: boolean): void {
    if (this.openTurns.delete(turn) && this.openTurns.size === 0) this.emit('change', this.snapshot);
    this.emit('played', { turn, interrupted });
  }
}
