/** Offline SpeechToText with CMU PocketSphinx (Debian: pocketsphinx + pocketsphinx-en-us). */
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toMono16k } from '../audio/resample.js';
import { assertExitOk, runProcess } from '../audio/process.js';
import { encodeWav } from '../audio/wav.js';
import { SpeechError, type Pcm, type SpeechToText } from '../ports.js';

export interface PocketsphinxOptions {
  /** Default 'pocketsphinx_continuous'. */
  binary?: string;
  /** Holds `en-us/` (acoustic model), `en-us.lm.bin` and `cmudict-en-us.dict`. Default '/usr/share/pocketsphinx/model/en-us'. */
  modelDir?: string;
  /** A JSGF grammar of the sentences to expect (replaces the language model): exact and fast. */
  jsgf?: string;
  /** Default 60000. */
  timeoutMs?: number;
}

export const DEFAULT_POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

function modelArgs(modelDir: string, jsgf: string | undefined): { args: string[]; files: string[] } {
  const hmm = join(modelDir, 'en-us');
  const dict = join(modelDir, 'cmudict-en-us.dict');
  const lm = join(modelDir, 'en-us.lm.bin');
  const grammarOrLm = jsgf ? ['-jsgf', jsgf] : ['-lm', lm];
  return { args: ['-hmm', hmm, '-dict', dict, ...grammarOrLm], files: [hmm, dict, jsgf ?? lm] };
}

async function assertFiles(files: string[]): Promise<void> {
  for (const file of files) {
    try {
      await access(file);
    } catch {
      throw new SpeechError('unavailable', `pocketsphinx model file missing: ${file} (install pocketsphinx-en-us)`);
    }
  }
}

/** The recognised words: one hypothesis line per detected utterance, joined. */
export function parseHypotheses(stdout: string): string {
  return stdout
    .split('\n')
    .map((line) => line.replace(/^\d+(\.\d+)?:\s*/, '').trim())
    .filter((line) => line !== '' && !/^(INFO|WARN|ERROR|FATAL)\b/.test(line))
    .join(' ')
    .replace(/\s+/g, ' ');
}

export function createPocketsphinxSpeechToText(opts: PocketsphinxOptions = {}): SpeechToText {
  const binary = opts.binary ?? 'pocketsphinx_continuous';
  const modelDir = opts.modelDir ?? DEFAULT_POCKETSPHINX_MODEL_DIR;
  const model = modelArgs(modelDir, opts.jsgf);
  return {
    description: `offline:pocketsphinx${opts.jsgf ? ' (jsgf grammar)' : ''}`,
    async transcribe(audio, o = {}) {
      if (audio.samples.length === 0) return '';
      await assertFiles(model.files);
      return withTempWav(toMono16k(audio), async (wav) => {
        const args = ['-infile', wav, ...model.args, '-logfn', '/dev/null'];
        const result = await runProcess(binary, args, {
          timeoutMs: opts.timeoutMs ?? 60_000,
          ...(o.signal ? { signal: o.signal } : {}),
          label: 'pocketsphinx',
        });
        assertExitOk(result, 'pocketsphinx');
        return parseHypotheses(result.stdout.toString('utf8'));
      });
    },
  };
}

async function withTempWav<T>(pcm: Pcm, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'eos-sphinx-'));
  try {
    const path = join(dir, 'speech.wav');
    await writeFile(path, encodeWav(pcm));
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
