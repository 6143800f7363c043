/**
 * Utterance endpointer: cuts a 16 kHz mono stream into utterances with a frame VAD.
 *
 *   const ep = await Endpointer.create({ vad: 'fvad' });
 *   for (const chunk of stream) for (const u of ep.push(chunk)) handle(u);
 *   for (const u of ep.flush()) handle(u);
 *   ep.dispose();
 */
import type { Pcm } from '../ports.js';
import { concatSamples } from './pcm.js';
import { MONO_16K, PcmConverter } from './resample.js';
import { createEnergyClassifier, createFvadClassifier, loadFvadModule, type FrameClassifier } from './vad-classifiers.js';

export interface Utterance {
  /** 16 kHz mono, including up to paddingMs of context before the first and after the last speech frame. */
  pcm: Pcm;
  /** Position in the stream (ms since the first pushed sample). */
  startMs: number;
  endMs: number;
  reason: 'silence' | 'max-length' | 'flush';
}

export interface EndpointerOptions {
  /** Non-speech that ends an utterance. Default 700. */
  silenceMs?: number;
  /** Longer utterances are cut into pieces of this length (reason 'max-length'). Default 15000. */
  maxUtteranceMs?: number;
  /** Utterances with less speech than this are dropped as noise. Default 250. */
  minSpeechMs?: number;
  /** 10, 20 or 30 for fvad. Default 20. */
  frameMs?: number;
  /** Context kept before and after speech. Default 200. */
  paddingMs?: number;
  /** Default 'fvad' (WebRTC VAD); 'energy' is the dependency-free fallback. */
  vad?: 'fvad' | 'energy';
  /** WebRTC VAD aggressiveness 0..3. Default 3. */
  fvadMode?: 0 | 1 | 2 | 3;
  /** A ready classifier (overrides `vad`); the Endpointer disposes it. */
  classifier?: FrameClassifier;
}

const RATE = 16_000;

export class Endpointer {
  /** Loads the fvad wasm when needed; use this rather than `new` unless you pass a classifier or vad 'energy'. */
  static async create(opts: EndpointerOptions = {}): Promise<Endpointer> {
    if (opts.classifier || opts.vad === 'energy') return new Endpointer(opts);
    if (![10, 20, 30].includes(opts.frameMs ?? 20)) throw new RangeError('Endpointer: fvad needs frameMs 10, 20 or 30');
    const classifier = createFvadClassifier(await loadFvadModule(), opts.fvadMode ?? 3);
    return new Endpointer({ ...opts, classifier });
  }

  readonly vadName: string;
  private readonly classifier: FrameClassifier;
  private readonly frameLen: number;
  private readonly frameMs: number;
  private readonly silenceMs: number;
  private readonly maxMs: number;
  private readonly minSpeechMs: number;
  private readonly padFrames: number;
  private converter: PcmConverter | undefined;
  private carry = new Int16Array(0);
  /** Sample index (in the 16 kHz stream) of the next frame. */
  private position = 0;
  private preroll: Int16Array[] = [];
  private active = false;
  private frames: Int16Array[] = [];
  private startSample = 0;
  private voicedFrames = 0;
  private lastVoiced = -1;
  /** The current piece continues an utterance cut at max length: its speech is already confirmed. */
  private continued = false;

  constructor(opts: EndpointerOptions = {}) {
    this.frameMs = opts.frameMs ?? 20;
    const vad = opts.vad ?? 'fvad';
    if (!opts.classifier && vad === 'fvad') {
      throw new Error("Endpointer: vad 'fvad' loads wasm asynchronously; use `await Endpointer.create(opts)`");
    }
    this.classifier = opts.classifier ?? createEnergyClassifier();
    this.vadName = this.classifier.name;
    this.frameLen = Math.round((this.frameMs * RATE) / 1000);
    this.silenceMs = opts.silenceMs ?? 700;
    this.maxMs = opts.maxUtteranceMs ?? 15_000;
    this.minSpeechMs = opts.minSpeechMs ?? 250;
    this.padFrames = Math.round((opts.paddingMs ?? 200) / this.frameMs);
    if (this.maxMs < this.frameMs * 2) throw new RangeError('Endpointer: maxUtteranceMs too small');
  }

  /** Feeds audio: an Int16Array is taken as 16 kHz mono; a Pcm of another format is converted (keep it constant). */
  push(audio: Pcm | Int16Array): Utterance[] {
    const samples = audio instanceof Int16Array ? audio : this.to16k(audio);
    const all = this.carry.length > 0 ? concatSamples([this.carry, samples]) : samples;
    const out: Utterance[] = [];
    let at = 0;
    for (; at + this.frameLen <= all.length; at += this.frameLen) {
      const done = this.onFrame(all.slice(at, at + this.frameLen));
      if (done) out.push(done);
    }
    this.carry = all.slice(at);
    return out;
  }

  /** Ends the stream: returns the utterance in progress (reason 'flush') if it has enough speech. */
  flush(): Utterance[] {
    const tail = this.converter ? this.converter.flush() : new Int16Array(0);
    this.converter = undefined;
    const out = tail.length > 0 ? this.push(tail) : [];
    if (this.active && this.carry.length > 0) this.frames.push(this.carry);
    this.position += this.carry.length;
    this.carry = new Int16Array(0);
    const last = this.active ? this.finish('flush') : undefined;
    this.preroll = [];
    return last ? [...out, last] : out;
  }

  dispose(): void {
    this.classifier.dispose();
  }

  private to16k(pcm: Pcm): Int16Array {
    if (pcm.sampleRate === RATE && pcm.channels === 1 && !this.converter) return pcm.samples;
    this.converter ??= new PcmConverter(pcm, MONO_16K);
    return this.converter.push(pcm.samples);
  }

  private onFrame(frame: Int16Array): Utterance | undefined {
    const voiced = this.classifier.isSpeech(frame);
    const frameStart = this.position;
    this.position += frame.length;
    if (!this.active) {
      if (!voiced) {
        this.preroll.push(frame);
        if (this.preroll.length > this.padFrames) this.preroll.shift();
        return undefined;
      }
      this.active = true;
      this.frames = this.preroll;
      this.preroll = [];
      this.startSample = frameStart - this.frames.reduce((n, f) => n + f.length, 0);
      this.voicedFrames = 0;
      this.lastVoiced = -1;
      this.continued = false;
    }
    this.frames.push(frame);
    if (voiced) {
      this.voicedFrames++;
      this.lastVoiced = this.frames.length - 1;
    }
    const trailingMs = (this.frames.length - 1 - this.lastVoiced) * this.frameMs;
    if (trailingMs >= this.silenceMs) return this.finish('silence');
    if (this.frames.length * this.frameMs >= this.maxMs) return this.cut();
    return undefined;
  }

  private utterance(frames: Int16Array[], reason: Utterance['reason'], voiced: number): Utterance | undefined {
    const samples = concatSamples(frames);
    const start = this.startSample;
    this.startSample += samples.length;
    if (voiced === 0 || (!this.continued && voiced * this.frameMs < this.minSpeechMs)) return undefined;
    const pcm: Pcm = { samples, sampleRate: RATE, channels: 1 };
    return { pcm, startMs: (start / RATE) * 1000, endMs: ((start + samples.length) / RATE) * 1000, reason };
  }

  /** Ends the utterance after its last speech frame plus padding; the rest becomes pre-roll. */
  private finish(reason: Utterance['reason']): Utterance | undefined {
    const keep = Math.min(this.frames.length, this.lastVoiced + 1 + this.padFrames);
    const rest = this.frames.slice(keep);
    const done = this.utterance(this.frames.slice(0, keep), reason, this.voicedFrames);
    this.active = false;
    this.frames = [];
    this.preroll = this.padFrames > 0 ? rest.slice(-this.padFrames) : [];
    return done;
  }

  /** Max length reached while speech goes on: emit and continue with a fresh piece. */
  private cut(): Utterance | undefined {
    const done = this.utterance(this.frames, 'max-length', this.voicedFrames);
    this.continued = done !== undefined;
    this.frames = [];
    this.voicedFrames = 0;
    this.lastVoiced = -1;
    return done;
  }
}
