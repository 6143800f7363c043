/**
 * The typed messages that flow through the voice pipeline, and the Stage contract.
 * Order of the standard stages: downmix → endpoint → barge-in → transcribe → respond → sentence-split → synthesize → playback.
 */
import type { Pcm } from '../ports.js';

/** What the respond stage answers. */
export interface VoiceTranscript {
  userId: string;
  speaker: string;
  text: string;
}

export type UtteranceEnd = 'silence' | 'max-length' | 'flush';

export type VoiceFrame =
  /** Decoded Discord audio of one user: 48 kHz stereo. */
  | { kind: 'audio'; userId: string; pcm: Pcm }
  /** The same audio after the downmix stage: 16 kHz mono. */
  | { kind: 'audio-16k'; userId: string; pcm: Pcm }
  /** The user's audio stream ended (Discord stops sending packets in silence): the endpointer flushes. */
  | { kind: 'audio-end'; userId: string }
  /** The VAD heard the start of speech (used for barge-in). */
  | { kind: 'user-started'; userId: string }
  /** One utterance, 16 kHz mono. startMs/endMs are positions in that user's received stream. */
  | { kind: 'utterance'; userId: string; pcm: Pcm; startMs: number; endMs: number; reason: UtteranceEnd }
  | { kind: 'transcript'; userId: string; speaker: string; text: string; startMs: number; endMs: number; audio: Pcm }
  /** `turn` numbers one reply (or one say()); frames of a cancelled turn are dropped. */
  | { kind: 'reply-delta'; turn: number; text: string }
  /** `inReplyTo` is set on replies to a transcript (not on say()). */
  | { kind: 'reply-end'; turn: number; text: string; interrupted: boolean; inReplyTo?: VoiceTranscript }
  | { kind: 'sentence'; turn: number; text: string }
  /** Synthesized speech: 48 kHz stereo. */
  | { kind: 'speech'; turn: number; pcm: Pcm; text: string }
  /** Barge-in: stop playback, drop queued speech, cancel the reply in flight. Delivered ahead of queued frames. */
  | { kind: 'interrupt'; userId: string | null }
  /** A stage failed on one frame; the pipeline continues. Seen by observers only. */
  | { kind: 'error'; stage: string; error: unknown; userId?: string };

export type FrameKind = VoiceFrame['kind'];
export type FrameOf<K extends FrameKind> = Extract<VoiceFrame, { kind: K }>;

export type Push = (frame: VoiceFrame) => void;

export interface Stage {
  readonly name: string;
  /** 'user': one ordered lane per userId, so users are processed apart and concurrently; 'single' (default): one lane. */
  readonly lanes?: 'user' | 'single';
  /** Called once by Pipeline.start() (e.g. to load a VAD). */
  start?(): Promise<void> | void;
  /**
   * Handles one frame. Frames a stage does not handle must be pushed on unchanged.
   * 'interrupt' frames may arrive while an earlier process() call is still running.
   */
  process(frame: VoiceFrame, push: Push): Promise<void> | void;
  /** Resolves when work the stage keeps outside the pipeline's queues (e.g. a playback queue) is done. */
  idle?(): Promise<void>;
  /** Cancels in-flight work and frees resources; the stage is not used afterwards. */
  stop?(): Promise<void> | void;
}

const REPLY_KINDS: ReadonlySet<FrameKind> = new Set(['reply-delta', 'reply-end', 'sentence', 'speech']);

/** Frames that belong to a reply: dropped from the queues on interrupt. */
export function isReplyFrame(frame: VoiceFrame): frame is FrameOf<'reply-delta' | 'reply-end' | 'sentence' | 'speech'> {
  return REPLY_KINDS.has(frame.kind);
}

/** Frames that skip the queues and reach every stage at once. */
export function isUrgentFrame(frame: VoiceFrame): boolean {
  return frame.kind === 'interrupt';
}

/** The user a frame belongs to, if any (lane key for per-user stages). */
export function frameUser(frame: VoiceFrame): string | undefined {
  return 'userId' in frame && typeof frame.userId === 'string' ? frame.userId : undefined;
}
