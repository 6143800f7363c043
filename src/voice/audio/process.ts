/** Runs an engine binary (never through a shell) with a timeout, an abort signal and bounded output. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SpeechError } from '../ports.js';

export interface RunOptions {
  /** Written to stdin, then stdin is closed. Without it stdin is closed at once. */
  input?: Buffer | string;
  /** Kills the process after this long (SIGKILL) and rejects with SpeechError 'timeout'. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Larger stdout is an 'engine' error. Default 256 MiB. */
  maxStdoutBytes?: number;
  /** Shown in error messages, e.g. 'ffmpeg'. Default: the command name. */
  label?: string;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

const DEFAULT_MAX_STDOUT = 256 * 1024 * 1024;
const MAX_STDERR_CHARS = 4000;

/** Collects stdout up to a limit and the head of stderr. */
function collect(child: ChildProcessWithoutNullStreams, maxStdout: number, onOverflow: () => void) {
  const out: Buffer[] = [];
  let outBytes = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    outBytes += chunk.length;
    if (outBytes > maxStdout) onOverflow();
    else out.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.toString('utf8');
  });
  return () => ({ stdout: Buffer.concat(out), stderr: stderr.slice(0, MAX_STDERR_CHARS) });
}

/** Spawns `command args` and collects its output; rejects with SpeechError (exit codes are NOT checked). */
export function runProcess(command: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const label = opts.label ?? command;
  if (opts.signal?.aborted) return Promise.reject(new SpeechError('aborted', `${label} aborted before it started`));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    let failure: SpeechError | undefined;
    const fail = (err: SpeechError) => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(new SpeechError('timeout', `${label} did not finish within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const onAbort = () => fail(new SpeechError('aborted', `${label} aborted`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const output = collect(child, opts.maxStdoutBytes ?? DEFAULT_MAX_STDOUT, () =>
      fail(new SpeechError('engine', `${label} produced more output than allowed`)),
    );
    // EPIPE when the engine exits before reading all input: the exit code tells the story.
    child.stdin.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      const missing = err.code === 'ENOENT';
      const message = `cannot run ${label}: ${err.message}${missing ? ` (is ${label} installed and on PATH?)` : ''}`;
      reject(failure ?? new SpeechError(missing ? 'unavailable' : 'engine', message));
    });
    child.on('close', (code, sig) => {
      cleanup();
      if (failure) reject(failure);
      else resolve({ ...output(), code: code ?? signalCode(sig) });
    });
    child.stdin.end(opts.input ?? undefined);
  });
}

function signalCode(signal: NodeJS.Signals | null): number {
  return signal ? 128 : -1;
}

/** Throws SpeechError 'engine' with the tail of stderr when the process failed. */
export function assertExitOk(result: RunResult, label: string): void {
  if (result.code === 0) return;
  const detail = result.stderr.trim().split('\n').slice(-3).join(' | ');
  throw new SpeechError('engine', `${label} exited with code ${result.code}${detail ? `: ${detail}` : ''}`);
}
