/**
 * Synthesize stage: 'sentence' → 'speech' (48 kHz stereo) with a TextToSpeech engine, in order. A failure becomes an
 * 'error' frame and the reply goes on with its next sentence; an 'interrupt' aborts the synthesis in flight.
 */
import { toStereo48k } from '../../audio/resample.js';
import type { TextToSpeech } from '../../ports.js';
import type { BotActivity } from '../activity.js';
import type { FrameOf, Push, Stage, VoiceFrame } from '../frames.js';

export class SynthesizeStage implements Stage {
  readonly name = 'synthesize';
  private current: AbortController | undefined;

  constructor(
    private readonly tts: TextToSpeech,
    private readonly activity: BotActivity,
  ) {}

  async process(frame: VoiceFrame, push: Push): Promise<void> {
    if (frame.kind === 'interrupt') {
      this.current?.abort();
      push(frame);
      return;
    }
    if (frame.kind !== 'sentence') {
      push(frame);
      return;
    }
    if (this.activity.isCancelled(frame.turn)) return;
    await this.synthesize(frame, push);
  }

  stop(): void {
    this.current?.abort();
  }

  private async synthesize(frame: FrameOf<'sentence'>, push: Push): Promise<void> {
    const abort = new AbortController();
    this.current = abort;
    try {
      const pcm = await this.tts.synthesize(frame.text, { signal: abort.signal });
      if (abort.signal.aborted || this.activity.isCancelled(frame.turn)) return;
      if (pcm.samples.length === 0) return;
      push({ kind: 'speech', turn: frame.turn, pcm: toStereo48k(pcm), text: frame.text });
    } catch (error) {
      if (!abort.signal.aborted) push({ kind: 'error', stage: this.name, error });
    } finally {
      if (this.current === abort) this.current = undefined;
    }
  }
}
