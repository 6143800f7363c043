/**
 * Listens to a voice connection: when a user starts speaking, subscribes to their Opus stream (ending after
 * silence) and decodes it with prism-media to 48 kHz stereo PCM. A stream that dies of an error (a DAVE decryption
 * error destroys it inside @discordjs/voice; undecryptable frames passed through break the Opus decoder) while the
 * user is still talking and present is subscribed again, with a backoff (20 ms doubling per re-subscription in the
 * last 10 s, at most 2 s) so that a stream dying on every packet cannot spin.
 */
import { pipeline } from 'node:stream';
import { EndBehaviorType, type VoiceConnection } from '@discordjs/voice';
import prism from 'prism-media';
import { int16FromBytes } from '../audio/pcm.js';
import type { Pcm } from '../ports.js';

export interface ReceiverOptions {
  /** The user's stream ends after this much silence (Discord sends nothing while a user is silent). */
  silenceMs: number;
  /** False drops that user's audio (e.g. bots). */
  acceptUser?: (userId: string) => boolean;
  onAudio(userId: string, pcm: Pcm): void;
  onEnd(userId: string): void;
  onError?(userId: string, err: Error): void;
  /** Is the user still in the channel? (default: yes) */
  isPresent?: (userId: string) => boolean;
  /** A dead stream was subscribed again. */
  onResubscribe?(userId: string, cause: Error): void;
}

const RESUBSCRIBE_WINDOW_MS = 10_000;
const BACKOFF_FIRST_MS = 20;
const BACKOFF_MAX_MS = 2000;
const SWEEP_MS = 250;

export function decodePcm(chunk: Buffer): Pcm {
  return { samples: int16FromBytes(chunk), sampleRate: 48_000, channels: 2 };
}

/** Starts listening; returns a function that stops listening and closes the open streams. */
export function startReceiver(connection: VoiceConnection, opts: ReceiverOptions): () => void {
  const receiver = connection.receiver;
  const open = new Set<{ destroy(): void }>();
  const resubscribes = new Map<string, number[]>();
  let stopped = false;
  const wanted = (userId: string): boolean =>
    !stopped && !receiver.subscriptions.has(userId) && receiver.speaking.users.has(userId) && (opts.isPresent?.(userId) ?? true);
  /** Milliseconds to wait before the next re-subscription of this user. */
  const backoff = (userId: string): number => {
    const now = Date.now();
    const recent = (resubscribes.get(userId) ?? []).filter((t) => now - t < RESUBSCRIBE_WINDOW_MS);
    recent.push(now);
    resubscribes.set(userId, recent);
    return Math.min(BACKOFF_FIRST_MS * 2 ** (recent.length - 1), BACKOFF_MAX_MS);
  };
  const subscribe = (userId: string) => {
    const opus = receiver.subscribe(userId, { end: { behavior: EndBehaviorType.AfterSilence, duration: opts.silenceMs } });
    const decoder = new prism.opus.Decoder({ rate: 48_000, channels: 2, frameSize: 960 });
    open.add(opus);
    decoder.on('data', (chunk: Buffer) => opts.onAudio(userId, decodePcm(chunk)));
    pipeline(opus, decoder, (err) => {
      open.delete(opus);
      const failed = err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE' ? err : null;
      if (failed) opts.onError?.(userId, failed);
      opts.onEnd(userId);
      if (!failed) return;
      opus.destroy();
      const again = () => {
        if (!wanted(userId)) return;
        opts.onResubscribe?.(userId, failed);
        subscribe(userId);
      };
      // The receiver forgets a subscription on the stream's 'close': subscribe after it (and after the backoff).
      const later = () => setTimeout(again, backoff(userId)).unref();
      if (opus.closed) later();
      else opus.once('close', later);
    });
  };
  const onStart = (userId: string) => {
    if (receiver.subscriptions.has(userId)) return;
    if (opts.acceptUser && !opts.acceptUser(userId)) return;
    subscribe(userId);
  };
  receiver.speaking.on('start', onStart);
  // A user whose packets arrive (speaking) without a subscription: its 'start' was missed while a dead stream was
  // still registered. Subscribe now rather than lose the rest of the utterance.
  const sweep = setInterval(() => {
    for (const userId of receiver.speaking.users.keys())
      if (wanted(userId) && (!opts.acceptUser || opts.acceptUser(userId))) subscribe(userId);
  }, SWEEP_MS).unref();
  return () => {
    stopped = true;
    clearInterval(sweep);
    receiver.speaking.off('start', onStart);
    for (const stream of open) stream.destroy();
    open.clear();
  };
}
