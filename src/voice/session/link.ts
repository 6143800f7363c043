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

/** What a link can tell about itself (for `!voice`). */
export interface LinkInfo {
  /** The platform connection's status (e.g. @discordjs/voice 'ready'). */
  connection: string;
  /** DAVE (Discord's voice E2EE); null when the connection has no DAVE session. */
  dave: { protocolVersion: number; epoch: number | null; privacyCode: string | null; memberIds: string[] } | null;
  /** Recent recoveries, oldest first. */
  recoveries: { at: number; kind: string; detail: string }[];
}

export interface VoiceLink {
  /** Connection details, when the link can tell. */
  info?(): LinkInfo;
  /** Where the session's speech is played. */
  readonly sink: AudioSink;
  /** Set once, before connect(). */
  attach(handlers: LinkHandlers): void;
  /** Joins the channel; resolves once audio can flow, rejects on failure or when `signal` aborts. */
  connect(signal: AbortSignal): Promise<void>;
  /** Leaves the channel and frees everything. Idempotent. */
  destroy(): void;
}
