/**
 * Console side of the logger: turns pino's JSON lines into a compact human line
 *   12:34:56.789 WARN  [discord] reconnecting {"attempt":3}
 * (error stacks on the following lines). Used for stderr so stdout stays free for the console chat mode.
 */
const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'module', 'err']);

export interface LineSink {
  write(line: string): unknown;
}

function clock(time: unknown): string {
  const d = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date();
  return Number.isNaN(d.getTime()) ? String(time) : d.toISOString().slice(11, 23);
}

function errorText(err: unknown): string {
  if (err === null || typeof err !== 'object') return '';
  const e = err as { stack?: unknown; message?: unknown; type?: unknown };
  if (typeof e.stack === 'string') return `\n    ${e.stack.split('\n').join('\n    ')}`;
  return ` err=${JSON.stringify(e.message ?? e.type ?? err)}`;
}

/** Formats one pino JSON line; returns the input unchanged when it is not JSON. */
export function formatCompact(jsonLine: string): string {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.endsWith('\n') ? jsonLine : `${jsonLine}\n`;
  }
  const level = (LEVEL_NAMES[Number(obj.level)] ?? String(obj.level)).padEnd(5);
  const mod = typeof obj.module === 'string' ? ` [${obj.module}]` : '';
  const rest = Object.fromEntries(Object.entries(obj).filter(([k]) => !OMIT.has(k)));
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const msg = typeof obj.msg === 'string' ? ` ${obj.msg}` : '';
  return `${clock(obj.time)} ${level}${mod}${msg}${extra}${errorText(obj.err)}\n`;
}

/** A pino destination that writes each line to `sink`, formatted compactly or as raw JSON. */
export function consoleStream(sink: LineSink, format: 'compact' | 'json', scrub: (s: string) => string) {
  return {
    write(chunk: string): void {
      const clean = scrub(chunk);
      sink.write(format === 'compact' ? formatCompact(clean) : clean);
    },
  };
}
