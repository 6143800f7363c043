import type { Pcm } from '../ports.js';

/** Where the pipeline's speech goes (Discord: an AudioPlayer; tests: a recorder). */
export interface AudioSink {
  /** Plays 48 kHz stereo PCM; resolves when it has been played or stop() cut it. */
  play(pcm: Pcm): Promise<void>;
  /** Stops what is playing now; the pending play() resolves. */
  stop(): void;
}
