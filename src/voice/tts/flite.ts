/** Offline TextToSpeech with CMU Flite. The kal16 voice (16 kHz) is far more intelligible than espeak-ng's default. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertExitOk, runProcess } from '../audio/process.js';
import { emptyPcm } from '../audio/pcm.js';
import { decodeWav } from '../audio/wav.js';
import { SpeechError, type Pcm, type TextToSpeech } from '../ports.js';
import { DEFAULT_MAX_CHARS, sanitizeSpeechText } from './text.js';

export interface FliteOptions {
  /** Default 'flite'. */
  binary?: string;
  /** A built-in voice (kal16 default; kal, awb, rms, slt, awb_time) or a path to a .flitevox file. */
  voice?: string;
  /** Default 15000. */
  timeoutMs?: number;
  /** Longer text is cut at a word boundary. Default 1000. */
  maxChars?: number;
}

/** Debian flite's built-in voices; flite silently falls back to 8 kHz `kal` for unknown names, so we check. */
export const FLITE_VOICES = ['kal16', 'kal', 'awb', 'rms', 'slt', 'awb_time'] as const;

function checkVoice(voice: string): void {
  const known = (FLITE_VOICES as readonly string[]).includes(voice);
  if (!known && !voice.endsWith('.flitevox')) {
    throw new SpeechError('unavailable', `unknown flite voice '${voice}' (built-in: ${FLITE_VOICES.join(', ')}, or a .flitevox path)`);
  }
}

export function createFliteTextToSpeech(opts: FliteOptions = {}): TextToSpeech {
  const binary = opts.binary ?? 'flite';
  const voice = opts.voice ?? 'kal16';
  checkVoice(voice);
  const emptyRate = voice === 'kal' ? 8000 : 16_000;
  return {
    description: `flite:${voice}`,
    async synthesize(text, o = {}) {
      const clean = sanitizeSpeechText(text, opts.maxChars ?? DEFAULT_MAX_CHARS);
      if (clean === '') return emptyPcm(emptyRate);
      const dir = await mkdtemp(join(tmpdir(), 'eos-flite-'));
      try {
        const out = join(dir, 'speech.wav');
        const result = await runProcess(binary, ['-voice', voice, '-t', clean, '-o', out], {
          timeoutMs: opts.timeoutMs ?? 15_000,
          ...(o.signal ? { signal: o.signal } : {}),
          label: 'flite',
        });
        assertExitOk(result, 'flite');
        return await readWav(out, result.stderr);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function readWav(path: string, stderr: string): Promise<Pcm> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new SpeechError('engine', `flite wrote no audio file${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
  }
  return decodeWav(bytes);
}
