/**
 * Listens to a voice connection: when a user starts speaking, subscribes to their Opus stream (ending after
 * silence) and decodes it with prism-media to 48 kHz stereo PCM.
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
}

export function decodePcm(chunk: Buffer): Pcm {
  return { samples: int16FromBytes(chunk), sampleRate: 48_000, channels: 2 };
}

/** Starts listening; returns a function that stops listening and closes the open streams. */
export function startReceiver(connection: VoiceConnection, opts: ReceiverOptions): () => void {
  const receiver = connection.receiver;
  const open = new Set<{ destroy(): void }>();
  const onStart = (userId: string) => {
    if (receiver.subscriptions.has(userId)) return;
    if (opts.acceptUser && !opts.acceptUser(userId)) return;
    const opus = receiver.subscribe(userId, { end: { behavior: EndBehaviorType.AfterSilence, duration: opts.silenceMs } });
    const decoder = new prism.opus.Decoder({ rate: 48_000, channels: 2, frameSize: 960 });
    open.add(opus);
    decoder.on('data', (chunk: Buffer) => opts.onAudio(userId, decodePcm(chunk)));
    pipeline(opus, decoder, (err) => {
      open.delete(opus);
      if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') opts.onError?.(userId, err);
      opts.onEnd(userId);
    });
  };
  receiver.speaking.on('start', onStart);
  return () => {
    receiver.speaking.off('start', onStart);
    for (const stream of open) stream.destroy();
    open.clear();
  };
}
