/**
 * Logger factory (pino 10). Lines go to the console (stderr, compact format by default) and to rotating
 * files `<logDir>/eos.<n>.log` (RollingFile: asynchronous writes from the main thread, no worker thread).
 * Secrets never reach any output:
 * - hooks.logMethod / formatters replace every string equal to or containing a secret with '[redacted]'
 *   (message, format arguments, nested objects, Error messages, bindings of child loggers);
 * - `redact` paths censor authorization/token/apiKey/password keys whatever their value;
 * - each serialized line is scrubbed once more before it is written.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { consoleStream } from './log-console.js';
import { RollingFile } from './log-file.js';
import { createRedactor, REDACTED } from './log-redact.js';

export type { Logger } from 'pino';
export { REDACTED } from './log-redact.js';

export interface CreateLoggerOptions {
  level: string;
  /** Directory for rotating log files; null/undefined = no files. Created if missing. */
  logDir?: string | null;
  /** Secret values (see AppConfig.secrets()) that must never be logged. */
  secrets?: string[];
  /** Log to the console destination (default true). */
  console?: boolean;
  /** Console destination (default process.stderr). */
  destination?: NodeJS.WritableStream;
  /** 'compact' human lines (default) or raw 'json' lines on the console. Files are always JSON lines. */
  consoleFormat?: 'compact' | 'json';
  /** Rotation: roll when a file reaches `size` bytes (default 5 MiB); keep at most `files` files (default 5). */
  rotate?: { size?: number; files?: number };
  /** Base file name (default 'eos' → eos.1.log, eos.2.log, ...). */
  fileName?: string;
}

const REDACT_PATHS = ['authorization', 'token', 'apiKey', 'api_key', 'password', 'secret']
  .flatMap((k) => [k, `*.${k}`, `*.*.${k}`])
  .concat(['headers.Authorization', '*.headers.Authorization', '*.*.headers.Authorization']);

const CLOSE = Symbol('eos.log.close');
type Closable = Logger & { [CLOSE]?: () => Promise<void> };

function fileOutput(opts: CreateLoggerOptions, dir: string, onError: (err: Error) => void): RollingFile {
  return new RollingFile({
    dir,
    base: opts.fileName ?? 'eos',
    size: Math.max(1, Math.floor(opts.rotate?.size ?? 5 * 1024 * 1024)),
    files: Math.max(2, opts.rotate?.files ?? 5),
    onError,
  });
}

type Redactor = ReturnType<typeof createRedactor>;
interface Output {
  destination: DestinationStream & { flush(cb: (err?: Error) => void): void };
  close(): Promise<void>;
}

/** Fans each serialized line out to the console and the file transport, scrubbing it first. */
function createOutput(opts: CreateLoggerOptions, redactor: Redactor): Output {
  const sinks: { write(s: string): unknown }[] = [];
  const out = opts.destination ?? process.stderr;
  if (opts.console !== false) sinks.push(consoleStream(out, opts.consoleFormat ?? 'compact', (s) => redactor.line(s)));
  const file = opts.logDir ? fileOutput(opts, opts.logDir, (err) => out.write(`log file error: ${String(err)}\n`)) : null;
  if (file) sinks.push({ write: (s) => file.write(redactor.line(s)) });
  let open = true;
  return {
    destination: {
      write: (s: string) => {
        if (open) for (const sink of sinks) sink.write(s);
      },
      // logger.flush(cb) waits until the log file has everything written so far.
      flush: (cb) => (file && open ? file.flush(cb) : cb()),
    },
    close: async () => {
      if (!open) return;
      open = false;
      if (file) await file.close();
    },
  };
}

export function createLogger(opts: CreateLoggerOptions): Logger {
  const redactor = createRedactor(opts.secrets ?? []);
  const scrub = <T>(v: T): T => (redactor.active ? (redactor.value(v) as T) : v);
  const output = createOutput(opts, redactor);
  const logger: Closable = pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          method.apply(this, redactor.active ? (args.map(scrub) as typeof args) : args);
        },
      },
      formatters: { log: scrub, bindings: scrub },
    },
    output.destination,
  );
  Object.defineProperty(logger, CLOSE, { enumerable: false, value: () => output.close() });
  return logger;
}

/** Child logger with extra bindings, e.g. childFor(log, { module: 'discord' }). */
export function childFor(logger: Logger, bindings: Record<string, unknown>): Logger {
  return logger.child(bindings);
}

/** Flushes and closes the file transport of a logger made by createLogger (or any of its children). */
export async function closeLogger(logger: Logger): Promise<void> {
  const close = (logger as Closable)[CLOSE];
  if (close) await close();
}
