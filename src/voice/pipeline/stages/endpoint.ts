/**
 * Endpoint stage: one Endpointer (VAD) per speaking user cuts 'audio-16k' into 'utterance' frames, and announces
 * 'user-started' once a user has spoken for onsetMs (barge-in uses it). 'audio-end' flushes that user's endpointer.
 */
import { Endpointer, type Utterance } from '../../audio/vad.js';
import {
  createEnergyClassifier,
  createFvadClassifier,
  loadFvadModule,
  type FrameClassifier,
  type FvadModule,
} from '../../audio/vad-classifiers.js';
import type { Push, Stage, VoiceFrame } from '../frames.js';
import { OnsetTracker } from './onset.js';

export interface EndpointOptions {
  /** Non-speech that ends an utterance. Default 700. */
  silenceMs?: number;
  /** Longer speech is cut into pieces. Default 15000. */
  maxUtteranceMs?: number;
  /** Less speech than this is dropped as noise. Default 250. */
  minSpeechMs?: number;
  /** Continuous speech needed before 'user-started'. Default 200. */
  onsetMs?: number;
  /** Default 'fvad' (WebRTC VAD, wasm); 'energy' needs nothing. */
  vad?: 'fvad' | 'energy';
  /** fvad aggressiveness 0..3. Default 3. */
  fvadMode?: 0 | 1 | 2 | 3;
  /** Replaces `vad` (tests): a fresh classifier per user. */
  classifierFactory?: () => FrameClassifier;
}

const FRAME_MS = 20;

interface UserEndpoint {
  endpointer: Endpointer;
  onset: OnsetTracker;
}

export class EndpointStage implements Stage {
  readonly name = 'endpoint';
  readonly lanes = 'user' as const;
  private readonly users = new Map<string, UserEndpoint>();
  private fvad: FvadModule | undefined;

  constructor(private readonly opts: EndpointOptions = {}) {}

  async start(): Promise<void> {
    if (!this.opts.classifierFactory && (this.opts.vad ?? 'fvad') === 'fvad') this.fvad = await loadFvadModule();
  }

  process(frame: VoiceFrame, push: Push): void {
    if (frame.kind === 'audio-16k') {
      if (frame.pcm.sampleRate !== 16_000 || frame.pcm.channels !== 1) {
        throw new Error(`endpoint: expected 16 kHz mono, got ${frame.pcm.sampleRate} Hz x${frame.pcm.channels}`);
      }
      const user = this.user(frame.userId);
      const utterances = user.endpointer.push(frame.pcm.samples);
      if (user.onset.takeStarted()) push({ kind: 'user-started', userId: frame.userId });
      this.emit(frame.userId, utterances, push);
      return;
    }
    if (frame.kind === 'audio-end') {
      const user = this.users.get(frame.userId);
      if (user) {
        this.emit(frame.userId, user.endpointer.flush(), push);
        user.onset.reset();
      }
    }
    push(frame);
  }

  stop(): void {
    for (const user of this.users.values()) user.endpointer.dispose();
    this.users.clear();
  }

  private emit(userId: string, utterances: Utterance[], push: Push): void {
    for (const u of utterances) {
      push({ kind: 'utterance', userId, pcm: u.pcm, startMs: u.startMs, endMs: u.endMs, reason: u.reason });
    }
  }

  private user(userId: string): UserEndpoint {
    const existing = this.users.get(userId);
    if (existing) return existing;
    const silenceMs = this.opts.silenceMs ?? 700;
    const onset = new OnsetTracker(this.classifier(), {
      onsetFrames: Math.max(1, Math.round((this.opts.onsetMs ?? 200) / FRAME_MS)),
      resetFrames: Math.max(1, Math.round(silenceMs / FRAME_MS)),
    });
    const endpointer = new Endpointer({
      classifier: onset,
      frameMs: FRAME_MS,
      silenceMs,
      ...(this.opts.maxUtteranceMs !== undefined ? { maxUtteranceMs: this.opts.maxUtteranceMs } : {}),
      ...(this.opts.minSpeechMs !== undefined ? { minSpeechMs: this.opts.minSpeechMs } : {}),
    });
    const user = { endpointer, onset };
    this.users.set(userId, user);
    return user;
  }

  private classifier(): FrameClassifier {
    if (this.opts.classifierFactory) return this.opts.classifierFactory();
    if (this.fvad) return createFvadClassifier(this.fvad, this.opts.fvadMode ?? 3);
    if ((this.opts.vad ?? 'fvad') === 'fvad') throw new Error('endpoint: fvad not loaded (call Pipeline.start())');
    return createEnergyClassifier();
  }
}
