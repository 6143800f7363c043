/**
 * SentenceSplit stage: 'reply-delta' → 'sentence' as soon as each sentence is complete, so speech synthesis starts
 * before the reply is fully written; the rest is flushed at 'reply-end' (unless the reply was interrupted).
 */
import type { BotActivity } from '../activity.js';
import type { Push, Stage, VoiceFrame } from '../frames.js';
import { SentenceSplitter, type SplitterOptions } from '../sentences.js';

export class SentenceSplitStage implements Stage {
  readonly name = 'sentence-split';
  private readonly splitters = new Map<number, SentenceSplitter>();

  constructor(
    private readonly activity: BotActivity,
    private readonly opts: SplitterOptions = {},
  ) {}

  process(frame: VoiceFrame, push: Push): void {
    switch (frame.kind) {
      case 'reply-delta': {
        if (this.activity.isCancelled(frame.turn)) return;
        for (const text of this.splitter(frame.turn).push(frame.text)) push({ kind: 'sentence', turn: frame.turn, text });
        return;
      }
      case 'reply-end': {
        const splitter = this.splitters.get(frame.turn);
        this.splitters.delete(frame.turn);
        const rest = splitter?.flush();
        if (rest && !frame.interrupted && !this.activity.isCancelled(frame.turn)) {
          push({ kind: 'sentence', turn: frame.turn, text: rest });
        }
        push(frame);
        return;
      }
      case 'interrupt':
        this.splitters.clear();
        push(frame);
        return;
      default:
        push(frame);
    }
  }

  private splitter(turn: number): SentenceSplitter {
    let s = this.splitters.get(turn);
    if (!s) this.splitters.set(turn, (s = new SentenceSplitter(this.opts)));
    return s;
  }
}
