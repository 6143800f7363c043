/**
 * Start to READY and idle RSS of the whole process tree, as an operator starts the bot: `npm start` (npm, then node
 * scripts/start.mjs: the build check, then dist/main.js in the same process), `node dist/main.js` alone, and the bare discord.js bot
 * (`node bench/lib/bare-child.mjs`). Each is spawned against the Discord emulator; the time is from spawn to the
 * emulator's READY dispatch, the RSS is the sum of VmRSS over the spawned process and its descendants 2 s after
 * READY (no forced GC: what `ps` shows). Median of `repeats`. Also the CPU spent to READY (utime + stime of the tree at
 * READY, with the children it already reaped, e.g. npm's shell): less sensitive to the machine's load
 * than the wall time. Run alone: npx tsx bench/start.ts [repeats=3] [kind,kind] (kinds: npm, node, bare)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { processTree, readTreeRss } from './lib/child-proc.js';
import { isMain } from './lib/main.js';
import { median, mib } from './lib/stats.js';
import { startBenchWorld } from './lib/world.js';

const HERE = path.resolve(import.meta.dirname, '..');
/** The checkout whose Eos is started (EOS_BENCH_EOS_ROOT for the "before" column, whose `npm start` ran tsx). */
const ROOT = process.env.EOS_BENCH_EOS_ROOT ?? HERE;
const FROM_SOURCE = process.env.EOS_BENCH_EOS_SOURCE === '1';
const NODE = process.execPath;

export type StartKind = 'npm start' | 'npm start (tsx)' | 'node dist/main.js' | 'bare bot';

export interface StartFigures {
  kind: StartKind;
  readyMs: number[];
  /** CPU of the tree from spawn to READY, ms. */
  cpuMs: number[];
  treeRss: number[];
  processes: number;
}

/** utime + stime of the tree (and cutime + cstime of the root: children it has reaped), ms. */
async function treeCpuMs(pid: number): Promise<number> {
  let ticks = 0;
  for (const p of await processTree(pid)) {
    const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]) + (p === pid ? Number(f[13]) + Number(f[14]) : 0);
  }
  return ticks * 10; // USER_HZ 100
}

function command(kind: StartKind): [string, string[], string] {
  if (kind === 'npm start' || kind === 'npm start (tsx)') return ['npm', ['start', '--silent'], ROOT];
  if (kind === 'node dist/main.js') return [NODE, ['dist/main.js'], ROOT];
  return [NODE, ['bench/lib/bare-child.mjs'], HERE];
}

async function startOnce(kind: StartKind): Promise<{ readyMs: number; cpuMs: number; treeRss: number; processes: number }> {
  const world = await startBenchWorld({ channels: 1, users: 1 });
  const init = world.childInit(false);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_)/.test(k)));
  const env = {
    ...clean,
    PATH: `${path.join(HERE, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    DISCORD_TOKEN: init.token,
    DISCORD_API_URL: init.restBase,
    EOS_DATA_DIR: world.dataDir,
    OPENAI_BASE_URL: init.llm?.baseURL ?? '',
    OPENAI_API_KEY: init.llm?.apiKey ?? '',
    // run.ts builds dist/ once before the benches; a file edited meanwhile must not trigger a rebuild here
    EOS_BUILD_CHECK: 'off',
  };
  const [cmd, args, cwd] = command(kind);
  const t0 = Date.now();
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-2000)));
  try {
    const ready = await world.emu
      .waitFor(() => world.emu.gatewayEvents.find((e) => e.dir === 'out' && e.t === 'READY' && e.at >= t0), {
        timeoutMs: 30_000,
        label: `${kind}: READY`,
      })
      .catch((err: unknown) => {
        throw new Error(`${String(err)}\n${kind} stderr:\n${stderr}`);
      });
    const pid = child.pid ?? 0;
    const cpuMs = await treeCpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return { readyMs: ready.at - t0, cpuMs, treeRss: await readTreeRss(pid), processes: (await processTree(pid)).length };
  } finally {
    const exited = once(child, 'exit');
    for (const p of (await processTree(child.pid ?? 0)).reverse()) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await exited;
    await world.close();
  }
}

export async function runStart(repeats = 3, log: (line: string) => void = () => undefined, only?: StartKind[]): Promise<StartFigures[]> {
  const out: StartFigures[] = [];
  const all: StartKind[] = FROM_SOURCE ? ['npm start (tsx)', 'bare bot'] : ['npm start', 'node dist/main.js', 'bare bot'];
  const kinds = only ? all.filter((k) => only.includes(k)) : all;
  for (const kind of kinds) {
    const f: StartFigures = { kind, readyMs: [], cpuMs: [], treeRss: [], processes: 0 };
    for (let i = 0; i < repeats; i++) {
      const r = await startOnce(kind);
      f.readyMs.push(r.readyMs);
      f.cpuMs.push(r.cpuMs);
      f.treeRss.push(r.treeRss);
      f.processes = r.processes;
    }
    log(`start: ${describeStart(f)}`);
    out.push(f);
  }
  return out;
}

export function describeStart(f: StartFigures): string {
  return `${f.kind}: READY after ${f.readyMs.join('/')} ms (median ${median(f.readyMs)}), CPU to READY ${f.cpuMs.join('/')} ms (median ${median(f.cpuMs)}), idle RSS of the tree (${f.processes} processes) ${f.treeRss.map(mib).join('/')} MiB`;
}

if (isMain(import.meta.url)) {
  const names: Record<string, StartKind> = { npm: 'npm start', node: 'node dist/main.js', bare: 'bare bot' };
  const only = process.argv[3]?.split(',').map((k) => names[k] ?? (k as StartKind));
  await runStart(Number(process.argv[2] ?? 3), (line) => console.log(line), only);
}
