/** Per-frame speech/non-speech decisions for the Endpointer: WebRTC VAD (wasm) or an adaptive energy gate. */
import { SpeechError } from '../ports.js';
import { rms } from './pcm.js';

/** Decides, frame by frame, whether a 16 kHz mono frame contains speech. */
export interface FrameClassifier {
  readonly name: string;
  isSpeech(frame: Int16Array): boolean;
  /** Frees native/wasm memory. */
  dispose(): void;
}

/** The emscripten module of @echogarden/fvad-wasm (only what we use). */
export interface FvadModule {
  _fvad_new(): number;
  _fvad_free(handle: number): void;
  _fvad_set_mode(handle: number, mode: number): number;
  _fvad_set_sample_rate(handle: number, rate: number): number;
  _fvad_process(handle: number, ptr: number, length: number): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

/** Instantiates the WebRTC VAD wasm module (a few ms). One module can serve many classifiers. */
export async function loadFvadModule(): Promise<FvadModule> {
  try {
    const { default: instantiate } = await import('@echogarden/fvad-wasm');
    return (await instantiate()) as FvadModule;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new SpeechError('unavailable', `cannot load @echogarden/fvad-wasm: ${detail}`);
  }
}

/**
 * WebRTC VAD. `mode` 0 (quality) .. 3 (very aggressive: fewest false positives). Frames must be 10, 20 or 30 ms
 * at 16 kHz (160, 320 or 480 samples).
 */
export function createFvadClassifier(module: FvadModule, mode: 0 | 1 | 2 | 3 = 3): FrameClassifier {
  const handle = module._fvad_new();
  if (!handle) throw new SpeechError('engine', 'fvad_new failed');
  if (module._fvad_set_mode(handle, mode) !== 0 || module._fvad_set_sample_rate(handle, 16_000) !== 0) {
    module._fvad_free(handle);
    throw new SpeechError('engine', 'fvad rejected its settings');
  }
  let capacity = 480;
  let ptr = module._malloc(capacity * 2);
  let disposed = false;
  return {
    name: `fvad(mode ${mode})`,
    isSpeech(frame) {
      if (disposed) throw new SpeechError('engine', 'fvad classifier used after dispose()');
      if (frame.length > capacity) {
        module._free(ptr);
        capacity = frame.length;
        ptr = module._malloc(capacity * 2);
      }
      module.HEAP16.set(frame, ptr >> 1);
      const result = module._fvad_process(handle, ptr, frame.length);
      if (result < 0) throw new SpeechError('engine', `fvad cannot process a frame of ${frame.length} samples`);
      return result === 1;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      module._free(ptr);
      module._fvad_free(handle);
    },
  };
}

export interface EnergyOptions {
  /** Speech must be this many dB above the tracked noise floor to start (default 12). */
  onDb?: number;
  /** ... and stays speech while above noise + offDb (default 6). */
  offDb?: number;
  /** Never speech below this level in dBFS (default -50). */
  minDbfs?: number;
}

function dbfs(frame: Int16Array): number {
  return 20 * Math.log10(rms(frame) / 32768 + 1e-9);
}

/** Adaptive energy gate: noise floor follows quiet frames quickly and loud ones slowly; hysteresis on/off. */
export function createEnergyClassifier(opts: EnergyOptions = {}): FrameClassifier {
  const onDb = opts.onDb ?? 12;
  const offDb = opts.offDb ?? 6;
  const minDbfs = opts.minDbfs ?? -50;
  let noise = Number.NaN;
  let speaking = false;
  return {
    name: 'energy',
    isSpeech(frame) {
      const level = dbfs(frame);
      if (Number.isNaN(noise)) noise = Math.min(level, minDbfs);
      const rate = level < noise ? 0.3 : speaking ? 0.002 : 0.02;
      noise += (level - noise) * rate;
      const threshold = Math.max(minDbfs, noise + (speaking ? offDb : onDb));
      speaking = level > threshold;
      return speaking;
    },
    dispose() {},
  };
}
