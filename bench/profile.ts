/**
 * CPU profile of Eos under the bench's loads: the bot child runs with --cpu-prof, gets replies (an open loop of
 * mentions) or observed messages, then stops, which writes a .cpuprofile (open it in Chrome DevTools or run
 * `npx tsx bench/profile.ts summary <file>` for self time per package / file).
 * Run: npx tsx bench/profile.ts replies|observed [seconds=8] [channels]   (profiles go to .tmp/profiles/)
 * The summary printed after a run covers only the measured window (start-up and priming excluded: both clocks are
 * CLOCK_MONOTONIC, the profile's startTime and process.hrtime); `summary <file> [top] [fromUs toUs]` does the same
 * for a saved profile (the window is printed after a run).
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startBotChild } from './lib/child-proc.js';
import { ReplyWatcher } from './lib/replies.js';
import { LLM_REPLY, startBenchWorld } from './lib/world.js';
import { observeLoop, openLoop, prime } from './text-load.js';

const DIR = path.resolve(import.meta.dirname, '../.tmp/profiles');

interface Profile {
  nodes: { id: number; callFrame: { url: string; functionName: string } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A time window in µs of CLOCK_MONOTONIC (the clock of a profile's startTime and of process.hrtime). */
export interface Window {
  fromUs: number;
  toUs: number;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Self time per package (node_modules/<pkg>), per dist/src file, or per node internal, in ms, largest first. */
export async function summarize(file: string, top = 30, window?: Window): Promise<string[]> {
  const p = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    at += p.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at >= window.toUs)) return;
    const frame = byId.get(id)?.callFrame;
    const url = frame?.url ?? '';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const own = /\/(dist|src)\/(.*)$/.exec(url)?.[2];
    const key = pkg ?? (own ? `eos:${own}` : url ? `node:${url.replace(/^.*\//, '')}` : `(${frame?.functionName ?? '?'})`);
    const us = p.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  });
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `total ${(total / 1000).toFixed(0)} ms`,
    ...rows.map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`),
  ];
}

async function profile(kind: 'replies' | 'observed', seconds: number, channels: number): Promise<{ file: string; window: Window }> {
  await mkdir(DIR, { recursive: true });
  const before = new Set(await readdir(DIR));
  const world = await startBenchWorld({ channels, users: Math.min(channels, 20) });
  const child = await startBotChild('eos', { ...world.childInit(true), replyTo: 'mentions' }, ['--cpu-prof', `--cpu-prof-dir=${DIR}`]);
  const watcher = new ReplyWatcher(world.emu);
  const target = { world, watcher, bot: child, expected: LLM_REPLY };
  const window = { fromUs: 0, toUs: 0 };
  try {
    await prime(target);
    window.fromUs = monotonicUs();
    if (kind === 'replies') await openLoop(target, 20, seconds * 1000);
    else await observeLoop(target, 200, seconds * 1000);
    window.toUs = monotonicUs();
  } finally {
    watcher.dispose();
    await child.stop();
    await world.close();
  }
  const written = (await readdir(DIR)).filter((f) => !before.has(f) && f.endsWith('.cpuprofile'));
  if (!written[0]) throw new Error('no profile written');
  return { file: path.join(DIR, written[0]), window };
}

const [mode = 'replies', a, b, from, to] = process.argv.slice(2);
if (mode === 'summary' && a) {
  const window = from && to ? { fromUs: Number(from), toUs: Number(to) } : undefined;
  console.log((await summarize(a, Number(b ?? 30), window)).join('\n'));
} else if (mode === 'replies' || mode === 'observed') {
  const { file, window } = await profile(mode, Number(a ?? 8), Number(b ?? (mode === 'replies' ? 40 : 16)));
  console.log(`${file} (measured window: ${window.fromUs} ${window.toUs})`);
  console.log((await summarize(file, 30, window)).join('\n'));
}
