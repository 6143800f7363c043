/** What a VoiceSession needs from a voice connection (Discord: src/voice/discord/link.ts; tests: a fake). */
import type { AudioSink } from '../pipeline/sink.js';
import type { Pcm } from '../ports.js';

/** 'down': lost for now (the link tries to recover by itself); 'ready': usable (again); 'gone': lost for good. */
export type LinkStatus = 'ready' | 'down' | 'gone';

export interface LinkHandlers {
  status(status: LinkStatus): void;
  /** Decoded audio of one user, 48 kHz stereo, in arrival order. */
  audio(userId: string, pcm: Pcm): void;
  /** That user's audio stream ended (silence). */
  audioEnd(userId: string): void;
}

export interface VoiceLink {
  /** Where the session's speech is played. */
  readonly sink: AudioSink;
  /** Set once, before connect(). */
  attach(handlers: LinkHandlers): void;
  /** Joins the channel; resolves once audio can flow, rejects on failure or when `signal` aborts. */
  connect(signal: AbortSignal): Promise<void>;
  /** Leaves the channel and frees everything. Idempotent. */
  destroy(): void;
}
