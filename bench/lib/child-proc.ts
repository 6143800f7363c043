/** Parent side of a bot child process: fork on bare node with --expose-gc, wait for ready, ask for memory, stop. */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChildInit, ChildMessage, MemorySample } from './ipc.js';

/** eos: the real app (compiled); llm: the minimal discord.js + openai bot; bare: discord.js answering 'ok'. */
const ENTRIES = { eos: 'eos-child.mjs', llm: 'llm-child.mjs', bare: 'bare-child.mjs' } as const;
export type BotKind = keyof typeof ENTRIES;

export interface BotChild {
  readonly pid: number;
  /** process.memoryUsage() of the child after two forced GCs. */
  memory(): Promise<MemorySample>;
  /** CPU time (user + system, ms) the child and its descendants have used so far, from /proc. */
  cpuMs(): Promise<number>;
  /** RSS of the child and every descendant process (bytes), from /proc. */
  treeRss(): Promise<number>;
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

/** The process and all its descendants (from /proc/<pid>/task/<tid>/children). */
export async function processTree(pid: number): Promise<number[]> {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const tasks = await readdir(`/proc/${tree[i]}/task`).catch(() => [] as string[]);
    for (const tid of tasks) {
      const kids = await readFile(`/proc/${tree[i]}/task/${tid}/children`, 'utf8').catch(() => '');
      for (const k of kids.split(' ')) if (k.trim()) tree.push(Number(k));
    }
  }
  return tree;
}

export async function readCpuMs(pid: number): Promise<number> {
  let ms = 0;
  for (const p of await processTree(pid)) {
    const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ms += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime (fields 14, 15); USER_HZ 100
  }
  return ms;
}

/** VmRSS of the process and its descendants, bytes. */
export async function readTreeRss(pid: number): Promise<number> {
  let kb = 0;
  for (const p of await processTree(pid)) {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return kb * 1024;
}

/**
 * Starts Eos or the bare bot in a child process and resolves once it is connected to the emulator.
 * `nodeArgs` are extra node flags for the child (e.g. ['--cpu-prof'] to profile the bot under load).
 */
export async function startBotChild(kind: BotKind, init: Omit<ChildInit, 'type'>, nodeArgs: string[] = []): Promise<BotChild> {
  // The "before" column of the bench runs an older checkout's TypeScript, which needs the tsx loader.
  const loader = kind === 'eos' && process.env.EOS_BENCH_EOS_SOURCE === '1' ? ['--import', 'tsx'] : [];
  const child = fork(path.join(import.meta.dirname, ENTRIES[kind]), [], {
    execArgv: [...loader, '--expose-gc', ...nodeArgs],
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
    treeRss: () => readTreeRss(pid),
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
