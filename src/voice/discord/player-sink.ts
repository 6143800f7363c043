/** AudioSink over an @discordjs/voice AudioPlayer: raw 48 kHz stereo PCM in, Opus (encoded by the library) out. */
import { endianness } from 'node:os';
import { Readable } from 'node:stream';
import {
  AudioPlayerStatus,
  createAudioPlayer,
  createAudioResource,
  NoSubscriberBehavior,
  StreamType,
  type AudioPlayer,
  type AudioPlayerError,
  type AudioPlayerState,
  type AudioResource,
} from '@discordjs/voice';
import { bytesFromInt16 } from '../audio/pcm.js';
import { toStereo48k } from '../audio/resample.js';
import type { AudioSink } from '../pipeline/sink.js';
import type { Pcm } from '../ports.js';

/** 20 ms of 48 kHz stereo s16le. */
const FRAME_BYTES = 3840;

export interface PlayerSinkOptions {
  /** What the player does while no connection can play (default Pause: wait for the connection). */
  noSubscriber?: NoSubscriberBehavior;
}

export class PlayerSink implements AudioSink {
  readonly player: AudioPlayer;

  constructor(opts: PlayerSinkOptions = {}) {
    this.player = createAudioPlayer({ behaviors: { noSubscriber: opts.noSubscriber ?? NoSubscriberBehavior.Pause } });
    // An AudioPlayer without an 'error' listener throws; play() reports errors of its own resource.
    this.player.on('error', () => undefined);
  }

  play(pcm: Pcm): Promise<void> {
    const resource = createAudioResource(Readable.from(pcmChunks(pcm)), { inputType: StreamType.Raw });
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        this.player.off('stateChange', onState);
        this.player.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onState = (_old: AudioPlayerState, next: AudioPlayerState) => {
        if (next.status === AudioPlayerStatus.Idle || ('resource' in next && next.resource !== resource)) done();
      };
      const onError = (err: AudioPlayerError) => {
        if (err.resource === (resource as AudioResource<unknown>)) done(err);
      };
      this.player.on('stateChange', onState);
      this.player.on('error', onError);
      this.player.play(resource);
    });
  }

  stop(): void {
    this.player.stop(true);
  }
}

/** The samples as 20 ms s16le chunks, the last one padded with silence. */
export function pcmChunks(pcm: Pcm): Buffer[] {
  const stereo = toStereo48k(pcm);
  const raw =
    endianness() === 'LE'
      ? Buffer.from(stereo.samples.buffer, stereo.samples.byteOffset, stereo.samples.byteLength)
      : bytesFromInt16(stereo.samples);
  const chunks: Buffer[] = [];
  for (let at = 0; at < raw.length; at += FRAME_BYTES) {
    const piece = raw.subarray(at, at + FRAME_BYTES);
    chunks.push(piece.length === FRAME_BYTES ? piece : Buffer.concat([piece, Buffer.alloc(FRAME_BYTES - piece.length)]));
  }
  return chunks;
}
