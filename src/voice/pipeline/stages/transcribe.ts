/**
 * Transcribe stage: 'utterance' → 'transcript' with a SpeechToText engine, one lane per user (users are transcribed
 * concurrently, each in order). Empty or noise-only transcripts are dropped; a failure becomes an 'error' frame and
 * the next utterance is handled as usual.
 */
import type { SpeechToText } from '../../ports.js';
import type { FrameOf, Push, Stage, VoiceFrame } from '../frames.js';

export interface TranscribeOptions {
  /** Display name for a user id (default: the id). */
  speakerName?: (userId: string) => string | Promise<string>;
  /** ISO-639-1 hint passed to the engine. */
  language?: string;
  /** Context words passed to the engine. */
  prompt?: string;
  /** Returns the text to keep ('' to drop). Default: cleanTranscript. */
  clean?: (text: string) => string;
}

/**
 * Removes annotations engines emit for non-speech ("[BLANK_AUDIO]", "(music)", "*coughs*", "♪") and collapses
 * whitespace; returns '' when no word is left.
 */
export function cleanTranscript(text: string): string {
  const stripped = text
    .replace(/\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return /[\p{L}\p{N}]/u.test(stripped) ? stripped : '';
}

export class TranscribeStage implements Stage {
  readonly name = 'transcribe';
  readonly lanes = 'user' as const;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly stt: SpeechToText,
    private readonly opts: TranscribeOptions = {},
  ) {}

  async process(frame: VoiceFrame, push: Push): Promise<void> {
    if (frame.kind !== 'utterance') {
      push(frame);
      return;
    }
    const text = await this.transcribe(frame);
    const kept = (this.opts.clean ?? cleanTranscript)(text);
    if (kept === '') return;
    const speaker = await (this.opts.speakerName?.(frame.userId) ?? frame.userId);
    push({ kind: 'transcript', userId: frame.userId, speaker, text: kept, startMs: frame.startMs, endMs: frame.endMs, audio: frame.pcm });
  }

  stop(): void {
    for (const c of this.inFlight) c.abort();
    this.inFlight.clear();
  }

  private async transcribe(frame: FrameOf<'utterance'>): Promise<string> {
    const abort = new AbortController();
    this.inFlight.add(abort);
    try {
      return await this.stt.transcribe(frame.pcm, {
        signal: abort.signal,
        ...(this.opts.language ? { language: this.opts.language } : {}),
        ...(this.opts.prompt ? { prompt: this.opts.prompt } : {}),
      });
    } finally {
      this.inFlight.delete(abort);
    }
  }
}
