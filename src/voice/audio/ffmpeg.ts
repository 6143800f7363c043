/** ffmpeg as a child process: decode anything to PCM, encode PCM (Ogg Opus voice messages, MP3...). */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { SpeechError, type Pcm } from '../ports.js';
import { bytesFromInt16, int16FromBytes } from './pcm.js';
import { assertExitOk, runProcess } from './process.js';

export interface FfmpegOptions {
  /** Path of the ffmpeg binary. Default: the ffmpeg-static binary when installed, else `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Default 20000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 20_000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary of the optional ffmpeg-static package, when installed. */
export function ffmpegStaticPath(): string | null {
  try {
    const fromPackage = createRequire(import.meta.url)('ffmpeg-static') as unknown;
    if (typeof fromPackage === 'string' && isExecutable(fromPackage)) return fromPackage;
  } catch {
    /* optional dependency not installed (its download fails offline) */
  }
  return null;
}

/** The ffmpeg-static binary when present, else 'ffmpeg' when one runs from PATH, else null. Spawns `ffmpeg -version`. */
export function findFfmpeg(): string | null {
  const fromPackage = ffmpegStaticPath();
  if (fromPackage) return fromPackage;
  const probe = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore', timeout: 5000, shell: false });
  return probe.status === 0 ? 'ffmpeg' : null;
}

/** Cheap resolution for each run: a missing binary surfaces as SpeechError 'unavailable' (ENOENT). */
function resolveBinary(opts: FfmpegOptions): string {
  return opts.ffmpegPath ?? ffmpegStaticPath() ?? 'ffmpeg';
}

async function runFfmpeg(args: string[], input: Buffer, opts: FfmpegOptions): Promise<Buffer> {
  const binary = resolveBinary(opts);
  const result = await runProcess(binary, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], {
    input,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.signal ? { signal: opts.signal } : {}),
    label: 'ffmpeg',
  });
  assertExitOk(result, 'ffmpeg');
  return result.stdout;
}

/** Decodes any audio file ffmpeg understands (MP3, Ogg, WAV...) to PCM of the requested format. */
export async function decodeToPcm(input: Buffer, format: { sampleRate: number; channels: number }, opts: FfmpegOptions = {}): Promise<Pcm> {
  if (input.length === 0) throw new SpeechError('engine', 'ffmpeg: nothing to decode (empty input)');
  const args = ['-i', 'pipe:0', '-vn', '-f', 's16le', '-acodec', 'pcm_s16le'];
  args.push('-ac', String(format.channels), '-ar', String(format.sampleRate), 'pipe:1');
  const out = await runFfmpeg(args, input, opts);
  return { samples: int16FromBytes(out), sampleRate: format.sampleRate, channels: format.channels };
}

/** Encodes PCM with ffmpeg; `outputArgs` are the codec/format options before `pipe:1`. */
export function encodePcm(pcm: Pcm, outputArgs: string[], opts: FfmpegOptions = {}): Promise<Buffer> {
  const input = ['-f', 's16le', '-ar', String(pcm.sampleRate), '-ac', String(pcm.channels), '-i', 'pipe:0'];
  return runFfmpeg([...input, ...outputArgs, 'pipe:1'], bytesFromInt16(pcm.samples), opts);
}

/** A Discord voice message body: Ogg Opus, 48 kHz mono, libopus 32 kbit/s, voip tuning. */
export function encodeOggOpus(pcm: Pcm, opts: FfmpegOptions = {}): Promise<Buffer> {
  const args = ['-ar', '48000', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-f', 'ogg'];
  return encodePcm(pcm, args, opts);
}

/** MP3 (libmp3lame), e.g. for test fixtures or HTTP servers that must answer MP3. */
export function encodeMp3(pcm: Pcm, bitrate = '32k', opts: FfmpegOptions = {}): Promise<Buffer> {
  return encodePcm(pcm, ['-c:a', 'libmp3lame', '-b:a', bitrate, '-f', 'mp3'], opts);
}
