/**
 * Hot paths at equal message rates: Eos against the reference bots, each in its own child process on bare node,
 * against the Discord emulator with an instant fake LLM (both servers in this process, on 127.0.0.1).
 * - replies: an open loop of mentions at a fixed rate (Eos, the minimal LLM bot, and the bare bot for context);
 * - observed: plain messages (no mention) at a fixed rate over 16 and over 200 channels (Eos and the bare bot).
 * See docs/BENCHMARKS.md. Run alone: npx tsx bench/text-path.ts [replyRate=20] [seconds=10]
 */
import { startBotChild, type BotKind } from './lib/child-proc.js';
import { isMain } from './lib/main.js';
import { ReplyWatcher } from './lib/replies.js';
import { fixed } from './lib/stats.js';
import { LLM_REPLY, startBenchWorld } from './lib/world.js';
import { observeLoop, openLoop, prime, type LoadFigures, type ObservedFigures } from './text-load.js';

export interface TextPathOptions {
  /** Replies: channels (one user each), mentions per second, measured time. */
  replyChannels: number;
  replyRate: number;
  replyMs: number;
  /** Observed messages: per second, measured time, and the channel counts to run. */
  observeRate: number;
  observeMs: number;
  observeChannels: number[];
}

export const DEFAULT_TEXT_OPTIONS: TextPathOptions = {
  // 40 channels at 20 mentions/s: one mention every 2 s per channel, so Eos's per-channel gate (one generation at a
  // time; mentions arriving meanwhile get one combined answer) does not merge mentions even on a loaded machine.
  replyChannels: 40,
  replyRate: 20,
  replyMs: 10_000,
  observeRate: 200,
  observeMs: 10_000,
  observeChannels: [16, 200],
};

export interface ReplyRun {
  bot: BotKind;
  loaded: LoadFigures;
  /** REST requests in the window by "METHOD route". */
  routes: Record<string, number>;
}

export interface ObservedRun {
  bot: BotKind;
  channels: number;
  figures: ObservedFigures;
}

export interface TextResults {
  replies: ReplyRun[];
  observed: ObservedRun[];
}

const EXPECTED: Record<BotKind, string> = { eos: LLM_REPLY, llm: LLM_REPLY, bare: 'ok' };

/** A fresh world and bot child (REST cap lifted: the figures are the code's cost, not discord.js's queue). */
async function withBot<T>(
  bot: BotKind,
  channels: number,
  fn: (target: Parameters<typeof prime>[0], requests: () => number) => Promise<T>,
): Promise<T> {
  const world = await startBenchWorld({ channels, users: Math.min(channels, 20) });
  const child = await startBotChild(bot, { ...world.childInit(true), replyTo: 'mentions' });
  const watcher = new ReplyWatcher(world.emu);
  const target = { world, watcher, bot: child, expected: EXPECTED[bot] };
  try {
    await prime(target);
    return await fn(target, () => world.emu.requests.length);
  } finally {
    watcher.dispose();
    await child.stop();
    await world.close();
  }
}

async function replyRun(bot: BotKind, o: TextPathOptions): Promise<ReplyRun> {
  return withBot(bot, o.replyChannels, async (t, requests) => {
    const from = requests();
    const loaded = await openLoop(t, o.replyRate, o.replyMs);
    const routes = Object.fromEntries(t.watcher.countRoutes(from));
    return { bot, loaded, routes };
  });
}

async function observedRun(bot: BotKind, channels: number, o: TextPathOptions): Promise<ObservedRun> {
  return withBot(bot, channels, async (t) => ({ bot, channels, figures: await observeLoop(t, o.observeRate, o.observeMs) }));
}

export async function runTextPath(
  opts: TextPathOptions = DEFAULT_TEXT_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<TextResults> {
  const replies: ReplyRun[] = [];
  for (const bot of ['eos', 'llm', 'bare'] as const) {
    const run = await replyRun(bot, opts);
    log(`replies: ${describeReplies(run, opts)}`);
    replies.push(run);
  }
  const observed: ObservedRun[] = [];
  for (const channels of opts.observeChannels) {
    for (const bot of ['eos', 'bare'] as const) {
      const run = await observedRun(bot, channels, opts);
      log(`observed: ${describeObserved(run, opts)}`);
      observed.push(run);
    }
  }
  return { replies, observed };
}

/** Bot CPU per reply, ms. */
export function cpuPerReply(l: LoadFigures): number {
  return (l.botCpuPct * 10) / l.perSecond;
}

export function describeReplies(r: ReplyRun, o: TextPathOptions): string {
  const l = r.loaded;
  const routes = Object.entries(r.routes)
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
  return (
    `${r.bot}: ${o.replyRate} mentions/s over ${o.replyChannels} channels: ${fixed(l.perSecond, 1)} replies/s, CPU ${fixed(cpuPerReply(l), 2)} ms/reply ` +
    `(bot ${fixed(l.botCpuPct, 0)} %), p50 ${l.p50} ms, p99 ${l.p99} ms, ${fixed(l.restPerReply, 2)} REST calls/reply [${routes}], lost ${l.lost}, wrong ${l.wrong}`
  );
}

export function describeObserved(r: ObservedRun, o: TextPathOptions): string {
  const f = r.figures;
  return (
    `${r.bot}: ${o.observeRate} msg/s over ${r.channels} channels: ${f.messages} messages in ${fixed(f.seconds, 1)} s, ` +
    `CPU ${fixed(f.cpuPerMessageMs * 1000, 0)} µs/message (${fixed(f.cpuMs, 0)} ms), ${f.restCalls} REST calls`
  );
}

if (isMain(import.meta.url)) {
  const replyRate = Number(process.argv[2] ?? DEFAULT_TEXT_OPTIONS.replyRate);
  const seconds = Number(process.argv[3] ?? DEFAULT_TEXT_OPTIONS.replyMs / 1000);
  await runTextPath({ ...DEFAULT_TEXT_OPTIONS, replyRate, replyMs: seconds * 1000, observeMs: seconds * 1000 }, (line) =>
    console.log(line),
  );
}
