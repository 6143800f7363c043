/** Offline TextToSpeech with espeak-ng (text on stdin, WAV on stdout). */
import { assertExitOk, runProcess } from '../audio/process.js';
import { emptyPcm } from '../audio/pcm.js';
import { decodeWav } from '../audio/wav.js';
import { SpeechError, type TextToSpeech } from '../ports.js';
import { DEFAULT_MAX_CHARS, sanitizeSpeechText } from './text.js';

export interface EspeakOptions {
  /** Default 'espeak-ng'. */
  binary?: string;
  /** espeak-ng voice, e.g. 'en-us' (default), 'en-gb', 'en-us+klatt6' (more intelligible). */
  voice?: string;
  /** Words per minute (80..450). Default: espeak's 175. */
  speed?: number;
  /** Default 15000. */
  timeoutMs?: number;
  /** Longer text is cut at a word boundary. Default 1000. */
  maxChars?: number;
}

const VOICE_PATTERN = /^[A-Za-z0-9_.+-]{1,64}$/;
export const ESPEAK_SAMPLE_RATE = 22_050;

export function createEspeakTextToSpeech(opts: EspeakOptions = {}): TextToSpeech {
  const binary = opts.binary ?? 'espeak-ng';
  const voice = opts.voice ?? 'en-us';
  if (!VOICE_PATTERN.test(voice) || voice.startsWith('-')) throw new SpeechError('unavailable', `invalid espeak-ng voice name: ${voice}`);
  const args = ['--stdout', '-b', '1', '-v', voice];
  if (opts.speed !== undefined) args.push('-s', String(Math.round(Math.min(450, Math.max(80, opts.speed)))));
  return {
    description: `espeak-ng:${voice}`,
    async synthesize(text, o = {}) {
      const clean = sanitizeSpeechText(text, opts.maxChars ?? DEFAULT_MAX_CHARS);
      if (clean === '') return emptyPcm(ESPEAK_SAMPLE_RATE);
      const result = await runProcess(binary, args, {
        input: `${clean}\n`,
        timeoutMs: opts.timeoutMs ?? 15_000,
        ...(o.signal ? { signal: o.signal } : {}),
        label: 'espeak-ng',
      });
      assertExitOk(result, 'espeak-ng');
      if (result.stdout.length === 0) throw new SpeechError('engine', `espeak-ng produced no audio: ${result.stderr.trim()}`);
      return decodeWav(result.stdout);
    },
  };
}
