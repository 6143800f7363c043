/** Wraps a frame classifier to notice the start of speech: `onsetFrames` voiced frames in a row after a quiet spell. */
import type { FrameClassifier } from '../../audio/vad-classifiers.js';

export interface OnsetOptions {
  /** Consecutive voiced frames that make an onset. */
  onsetFrames: number;
  /** Consecutive unvoiced frames after which a new onset can be reported. */
  resetFrames: number;
}

export class OnsetTracker implements FrameClassifier {
  readonly name: string;
  private voicedRun = 0;
  private quietRun = 0;
  private inSpeech = false;
  private started = false;

  constructor(
    private readonly inner: FrameClassifier,
    private readonly opts: OnsetOptions,
  ) {
    this.name = inner.name;
  }

  isSpeech(frame: Int16Array): boolean {
    const voiced = this.inner.isSpeech(frame);
    if (voiced) {
      this.voicedRun++;
      this.quietRun = 0;
      if (!this.inSpeech && this.voicedRun >= this.opts.onsetFrames) {
        this.inSpeech = true;
        this.started = true;
      }
    } else {
      this.voicedRun = 0;
      this.quietRun++;
      if (this.quietRun >= this.opts.resetFrames) this.inSpeech = false;
    }
    return voiced;
  }

  /** True once per onset. */
  takeStarted(): boolean {
    const started = this.started;
    this.started = false;
    return started;
  }

  /** The stream ended: the next speech is a new onset. */
  reset(): void {
    this.voicedRun = 0;
    this.quietRun = 0;
    this.inSpeech = false;
    this.started = false;
  }

  dispose(): void {
    this.inner.dispose();
  }
}
