/**
 * Barge-in stage: when a user starts speaking while the bot is audible (or, optionally, still generating a reply),
 * cancels every turn so far and pushes an 'interrupt' frame, which stops playback, drops queued speech and aborts
 * the reply in flight in the stages downstream.
 */
import type { BotActivity } from '../activity.js';
import type { Push, Stage, VoiceFrame } from '../frames.js';

export interface BargeInOptions {
  /** Default true. */
  enabled?: boolean;
  /** Also interrupt a reply that is being generated but not heard yet. Default false (other users talking in a group would cancel it). */
  whileThinking?: boolean;
}

export class BargeInStage implements Stage {
  readonly name = 'barge-in';

  constructor(
    private readonly activity: BotActivity,
    private readonly opts: BargeInOptions = {},
  ) {}

  process(frame: VoiceFrame, push: Push): void {
    push(frame);
    if (frame.kind !== 'user-started' || this.opts.enabled === false) return;
    const { audible, busy } = this.activity.snapshot;
    if (audible || (this.opts.whileThinking === true && busy)) {
      this.activity.cancelAll(frame.userId);
      push({ kind: 'interrupt', userId: frame.userId });
    }
  }
}
