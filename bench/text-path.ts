/**
 * Text path benchmark: Eos and a bare discord.js bot, each in its own child process, against the Discord emulator
 * with an instant fake LLM (both servers in this process, on 127.0.0.1). See docs/BENCHMARKS.md.
 * Run alone: npx tsx bench/text-path.ts [channels=16] [measureSeconds=10]
 */
import { startBotChild, type BotKind } from './lib/child-proc.js';
import { isMain } from './lib/main.js';
import { ReplyWatcher } from './lib/replies.js';
import { fixed } from './lib/stats.js';
import { LLM_REPLY, startBenchWorld } from './lib/world.js';
import { closedLoop, openLoop, prime, type LoadFigures } from './text-load.js';

export interface TextPathOptions {
  /** Closed loop: channels with one message in flight each. */
  channels: number;
  warmupMs: number;
  measureMs: number;
  /** Open loop (idle latency): messages per second and duration. */
  idleRate: number;
  idleMs: number;
}

export interface TextRun {
  bot: BotKind;
  /** 'shipped': discord.js's default client-side cap of 50 REST requests/s; 'lifted': cap raised in the child. */
  restCap: 'shipped' | 'lifted';
  idle: LoadFigures | null;
  loaded: LoadFigures;
}

export const DEFAULT_TEXT_OPTIONS: TextPathOptions = { channels: 16, warmupMs: 2000, measureMs: 10_000, idleRate: 10, idleMs: 5000 };

async function runOne(bot: BotKind, restCap: TextRun['restCap'], opts: TextPathOptions): Promise<TextRun> {
  const world = await startBenchWorld({ channels: opts.channels, users: opts.channels });
  const child = await startBotChild(bot, { ...world.childInit(restCap === 'lifted'), replyTo: 'all' });
  const watcher = new ReplyWatcher(world.emu);
  const target = { world, watcher, bot: child, expected: bot === 'eos' ? LLM_REPLY : 'ok' };
  try {
    await prime(target);
    const idle = restCap === 'shipped' ? await openLoop(target, opts.idleRate, opts.idleMs) : null;
    const loaded = await closedLoop(target, opts.warmupMs, opts.measureMs);
    return { bot, restCap, idle, loaded };
  } finally {
    watcher.dispose();
    await child.stop();
    await world.close();
  }
}

/** Eos and the bare bot, with discord.js's REST cap as shipped and lifted. */
export async function runTextPath(opts: TextPathOptions = DEFAULT_TEXT_OPTIONS, log: (line: string) => void = () => undefined): Promise<TextRun[]> {
  const runs: TextRun[] = [];
  for (const restCap of ['shipped', 'lifted'] as const) {
    for (const bot of ['eos', 'bare'] as const) {
      const run = await runOne(bot, restCap, opts);
      log(`text path: ${describeRun(run)}`);
      runs.push(run);
    }
  }
  return runs;
}

export function describeRun(r: TextRun): string {
  const l = r.loaded;
  const idle = r.idle ? `; idle p50 ${r.idle.p50} ms p99 ${r.idle.p99} ms` : '';
  return `${r.bot} (REST cap ${r.restCap}): ${fixed(l.perSecond, 1)} msg/s, p50 ${l.p50} ms, p99 ${l.p99} ms, ` +
    `${fixed(l.restPerReply, 2)} REST calls/reply, bot CPU ${fixed(l.botCpuPct, 0)} %, driver CPU ${fixed(l.driverCpuPct, 0)} %, lost ${l.lost}, wrong ${l.wrong}${idle}`;
}

if (isMain(import.meta.url)) {
  const channels = Number(process.argv[2] ?? DEFAULT_TEXT_OPTIONS.channels);
  const measureMs = Number(process.argv[3] ?? DEFAULT_TEXT_OPTIONS.measureMs / 1000) * 1000;
  await runTextPath({ ...DEFAULT_TEXT_OPTIONS, channels, measureMs }, (line) => console.log(line));
}
