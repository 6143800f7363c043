/**
 * Runs one exported bench function in a fresh child process (so every in-process bench starts from the same clean
 * process as when it runs alone). Parent side: runInChild(). Child side: this file's message handler.
 */
import { fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';

interface Call {
  type: 'call';
  file: string;
  fn: string;
  args: unknown[];
  /** Pass a log callback as the last argument (lines come back as {type:'log'}). */
  withLog: boolean;
}

type Reply = { type: 'log'; line: string } | { type: 'result'; value: unknown } | { type: 'error'; message: string };

/** Calls `fn(...args[, log])` exported by `file` in a child (node --import tsx --expose-gc) and resolves with its result. */
export function runInChild<T>(file: string, fn: string, args: unknown[], log?: (line: string) => void): Promise<T> {
  const child = fork(import.meta.filename, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return new Promise<T>((resolve, reject) => {
    child.on('message', (m: Reply) => {
      if (m.type === 'log') log?.(m.line);
      else if (m.type === 'result') resolve(m.value as T);
      else reject(new Error(`${fn} failed in its child process: ${m.message}`));
    });
    child.on('exit', (code) => reject(new Error(`${fn}: child process exited (code ${code}) without a result`)));
    const call: Call = { type: 'call', file, fn, args, withLog: log !== undefined };
    child.send(call);
  });
}

async function serveCall(call: Call): Promise<void> {
  const send = (m: Reply) => new Promise<void>((resolve) => process.send?.(m, () => resolve()));
  try {
    const mod = (await import(pathToFileURL(call.file).href)) as Record<string, unknown>;
    const fn = mod[call.fn];
    if (typeof fn !== 'function') throw new Error(`${call.file} exports no function ${call.fn}`);
    const args = call.withLog ? [...call.args, (line: string) => void send({ type: 'log', line })] : call.args;
    await send({ type: 'result', value: await (fn as (...a: unknown[]) => Promise<unknown>)(...args) });
  } catch (err) {
    await send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  process.exit(0);
}

if (process.send && process.argv[1] === import.meta.filename) {
  process.once('message', (m: Call) => void serveCall(m));
}
