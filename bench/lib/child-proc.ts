/** Parent side of a bot child process: fork with tsx and --expose-gc, wait for ready, ask for memory, stop. */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { ChildInit, ChildMessage, MemorySample } from './ipc.js';

const ENTRIES = { eos: 'eos-child.ts', bare: 'bare-child.ts' } as const;
export type BotKind = keyof typeof ENTRIES;

export interface BotChild {
  readonly pid: number;
  /** process.memoryUsage() of the child after two forced GCs. */
  memory(): Promise<MemorySample>;
  /** CPU time (user + system, ms) the child has used so far, from /proc. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

function nextMessage(child: ChildProcess, type: ChildMessage['type'], timeoutMs: number): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`bot child: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: ChildMessage) => {
      if (m.type === 'error') done(new Error(`bot child failed: ${m.message}`));
      else if (m.type === type) done(null, m);
    };
    const onExit = (code: number | null) => done(new Error(`bot child exited (code ${code})`));
    const done = (err: Error | null, m?: ChildMessage) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m as ChildMessage);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function readCpuMs(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of stat)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/**
 * Starts Eos or the bare bot in a child process and resolves once it is connected to the emulator.
 * `nodeArgs` are extra node flags for the child (e.g. ['--cpu-prof'] to profile the bot under load).
 */
export async function startBotChild(kind: BotKind, init: Omit<ChildInit, 'type'>, nodeArgs: string[] = []): Promise<BotChild> {
  const child = fork(path.join(import.meta.dirname, ENTRIES[kind]), [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: path.resolve(import.meta.dirname, '../..'),
  });
  const ready = nextMessage(child, 'ready', 60_000);
  child.send({ type: 'init', ...init });
  try {
    await ready;
  } catch (err) {
    child.kill();
    throw err;
  }
  const pid = child.pid ?? 0;
  return {
    pid,
    async memory() {
      const answer = nextMessage(child, 'mem', 10_000);
      child.send({ type: 'mem' });
      const { type: _type, ...sample } = (await answer) as Extract<ChildMessage, { type: 'mem' }>;
      return sample;
    },
    cpuMs: () => readCpuMs(pid),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
