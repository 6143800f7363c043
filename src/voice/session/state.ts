/** The states of a VoiceSession and the transitions allowed between them. */

export type VoiceSessionState =
  | { status: 'idle' }
  | { status: 'connecting'; channelId: string }
  /** Connected; nobody is being answered. */
  | { status: 'listening'; channelId: string; since: number }
  /** A reply is being generated and nothing is audible yet. */
  | { status: 'thinking'; channelId: string; since: number }
  /** Speech is playing (or queued) in the channel. */
  | { status: 'speaking'; channelId: string; since: number }
  /** The voice connection dropped; waiting (bounded) for it to come back. */
  | { status: 'reconnecting'; channelId: string; since: number }
  | { status: 'leaving'; channelId: string }
  | { status: 'destroyed'; reason: string };

export type VoiceSessionStatus = VoiceSessionState['status'];

const ACTIVE = ['listening', 'thinking', 'speaking'] as const;
const END = ['leaving', 'destroyed'] as const;

export const TRANSITIONS: Readonly<Record<VoiceSessionStatus, readonly VoiceSessionStatus[]>> = {
  idle: ['connecting', 'destroyed'],
  connecting: ['listening', ...END],
  listening: ['thinking', 'speaking', 'reconnecting', ...END],
  thinking: ['listening', 'speaking', 'reconnecting', ...END],
  speaking: ['listening', 'thinking', 'reconnecting', ...END],
  reconnecting: ['listening', ...END],
  leaving: ['destroyed'],
  destroyed: [],
};

export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly from: VoiceSessionStatus,
    readonly to: VoiceSessionStatus,
  ) {
    super(`voice session cannot go from ${from} to ${to}`);
  }
}

export function assertTransition(from: VoiceSessionStatus, to: VoiceSessionStatus): void {
  if (!TRANSITIONS[from].includes(to)) throw new InvalidTransitionError(from, to);
}

/** Listening, thinking or speaking: connected and handling audio. */
export function isActive(state: VoiceSessionState): state is Extract<VoiceSessionState, { status: (typeof ACTIVE)[number] }> {
  return (ACTIVE as readonly string[]).includes(state.status);
}
