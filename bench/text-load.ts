/**
 * Load on one bot child through the emulator: an open loop at a fixed low rate (latency when idle) and a closed
 * loop (N channels, each sending its next mention as soon as the previous one got its reply) for a fixed time.
 */
import type { BotChild } from './lib/child-proc.js';
import type { ReplyHit, ReplyWatcher } from './lib/replies.js';
import { percentile } from './lib/stats.js';
import type { BenchWorld } from './lib/world.js';

export interface LoadFigures {
  /** Replies whose POST arrived inside the measured window, per second. */
  perSecond: number;
  replies: number;
  /** Dispatch of MESSAGE_CREATE -> arrival of the reply POST, for messages dispatched inside the window (ms). */
  p50: number;
  p99: number;
  max: number;
  /** Messages sent in the window that got no reply within the timeout. */
  lost: number;
  /** Replies in the window whose text was not the expected answer (e.g. an apology or a rate-limit notice). */
  wrong: number;
  /** Every REST request the bot made in the window divided by the replies. */
  restPerReply: number;
  /** CPU used by the bot process in the window, % of one core. */
  botCpuPct: number;
  /** CPU used by this process (emulator + fake LLM + load driver) in the window, % of one core. */
  driverCpuPct: number;
}

/** The running pieces a load needs; `expected` is the text every reply should have. */
export interface LoadTarget {
  world: BenchWorld;
  watcher: ReplyWatcher;
  bot: BotChild;
  expected: string;
}

const REPLY_TIMEOUT_MS = 15_000;

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function timeout(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms).unref());
}

/** One mention from the channel's user; null when no reply came within timeoutMs. */
function mention(t: LoadTarget, i: number, n: number, timeoutMs = REPLY_TIMEOUT_MS): Promise<ReplyHit | null> {
  const channel = t.world.channels[i % t.world.channels.length];
  const user = t.world.users[i % t.world.users.length];
  if (!channel || !user) throw new Error('bench: empty world');
  const content = `<@${t.world.emu.botUser.id}> question ${n}: what do you think about the weather today?`;
  return Promise.race([t.watcher.say({ channelId: channel.id, userId: user.id, content }), timeout(timeoutMs)]);
}

/**
 * One mention in every channel, 16 channels at a time, awaited (history backfill and caches happen here, unmeasured;
 * patient, for a loaded machine), then a pause so discord.js's one-second global REST window has reset.
 */
export async function prime(t: LoadTarget): Promise<void> {
  for (let from = 0; from < t.world.channels.length; from += 16) {
    const batch = t.world.channels.slice(from, from + 16).map((_, k) => mention(t, from + k, 0, 120_000));
    const hits = await Promise.all(batch);
    if (hits.some((h) => h === null || h.content !== t.expected)) throw new Error('bench: the bot did not answer the priming messages');
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
}

class Window {
  readonly hits: ReplyHit[] = [];
  lost = 0;
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  add(hit: ReplyHit | null, sentAt: number): void {
    if (hit !== null) this.hits.push(hit);
    else if (sentAt >= this.start && sentAt < this.end) this.lost++;
  }

  /** `reqFrom`: index into emu.requests before the run; `cpuMs`: the bot's CPU time used in the window. */
  figures(t: LoadTarget, reqFrom: number, cpuMs: number, driverCpuMs: number): LoadFigures {
    const seconds = (this.end - this.start) / 1000;
    const replied = this.hits.filter((h) => h.repliedAt >= this.start && h.repliedAt < this.end);
    const latencies = this.hits
      .filter((h) => h.dispatchedAt >= this.start && h.dispatchedAt < this.end)
      .map((h) => h.repliedAt - h.dispatchedAt);
    const inWindow = t.world.emu.requests.slice(reqFrom).filter((r) => r.at >= this.start && r.at < this.end).length;
    return {
      perSecond: replied.length / seconds,
      replies: replied.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      lost: this.lost,
      wrong: replied.filter((h) => h.content !== t.expected).length,
      restPerReply: replied.length ? inWindow / replied.length : Number.NaN,
      botCpuPct: (100 * cpuMs) / (this.end - this.start),
      driverCpuPct: (100 * driverCpuMs) / (this.end - this.start),
    };
  }
}

/** CPU of the bot and of this process between the window's start and end (waits for both). */
async function windowCpu(t: LoadTarget, win: Window): Promise<{ botMs: number; driverMs: number }> {
  const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
  await sleepUntil(win.start);
  const driver0 = process.cpuUsage();
  const bot0 = await t.bot.cpuMs();
  await sleepUntil(win.end);
  const driverMs = cpuMsSince(driver0);
  return { botMs: (await t.bot.cpuMs()) - bot0, driverMs };
}

/** Closed loop: every channel keeps exactly one message waiting for its reply; warm-up, then a measured window. */
export async function closedLoop(t: LoadTarget, warmupMs: number, measureMs: number): Promise<LoadFigures> {
  const start = Date.now() + warmupMs;
  const win = new Window(start, start + measureMs);
  const reqFrom = t.world.emu.requests.length;
  let counter = 0;
  const loop = async (i: number) => {
    while (Date.now() < win.end) {
      const sentAt = Date.now();
      win.add(await mention(t, i, ++counter), sentAt);
    }
  };
  const cpu = windowCpu(t, win);
  await Promise.all(t.world.channels.map((_, i) => loop(i)));
  const { botMs, driverMs } = await cpu;
  return win.figures(t, reqFrom, botMs, driverMs);
}

/** Open loop: one mention every 1000/rate ms, round-robin over the channels, for durationMs; then waits for replies. */
export async function openLoop(t: LoadTarget, rate: number, durationMs: number): Promise<LoadFigures> {
  const start = Date.now();
  const win = new Window(start, start + durationMs);
  const reqFrom = t.world.emu.requests.length;
  const cpu0 = await t.bot.cpuMs();
  const driver0 = process.cpuUsage();
  const waits: Promise<void>[] = [];
  for (let n = 0; Date.now() < win.end; n++) {
    const sentAt = Date.now();
    waits.push(mention(t, n, n).then((hit) => win.add(hit, sentAt)));
    const next = start + ((n + 1) * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
  }
  const cpu1 = await t.bot.cpuMs();
  const driverMs = cpuMsSince(driver0);
  await Promise.all(waits);
  return win.figures(t, reqFrom, cpu1 - cpu0, driverMs);
}

export interface ObservedFigures {
  /** Plain messages sent (no mention, no trigger word: the bot only observes them). */
  messages: number;
  seconds: number;
  /** Bot CPU from the first message until the reply to the closing mention, ms. */
  cpuMs: number;
  cpuPerMessageMs: number;
  /** REST requests the bot made meanwhile (the closing mention's reply included). */
  restCalls: number;
}

/** A chat line of about 100 characters, different for every message. */
export function chatLine(round: number, channel: number): string {
  const words =
    'sure thing I think the new build is fine but the tests on the voice side still look slow to me honestly maybe tomorrow'.split(' ');
  const out: string[] = [];
  for (let i = 0; out.join(' ').length < 90; i++) out.push(words[(round * 7 + channel * 3 + i * 5) % words.length] ?? 'x');
  return `${out.join(' ')} (${round}/${channel})`;
}

/**
 * Observed messages: `rate` plain messages per second, round-robin over every channel of the world, for durationMs,
 * then one mention whose reply closes the window (the gateway delivers in order, so the bot has then handled all).
 */
export async function observeLoop(t: LoadTarget, rate: number, durationMs: number): Promise<ObservedFigures> {
  const { channels, users } = t.world;
  const reqFrom = t.world.emu.requests.length;
  const cpu0 = await t.bot.cpuMs();
  const start = Date.now();
  let n = 0;
  while (Date.now() - start < durationMs) {
    const due = Math.floor(((Date.now() - start) * rate) / 1000);
    for (; n < due; n++) {
      const channel = channels[n % channels.length];
      const user = users[n % users.length];
      if (channel && user)
        t.world.emu.userSays({
          channelId: channel.id,
          userId: user.id,
          content: chatLine(Math.floor(n / channels.length), n % channels.length),
        });
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const hit = await mention(t, 0, -1);
  if (hit === null) throw new Error('bench: no reply to the mention closing the observed window');
  const cpuMs = (await t.bot.cpuMs()) - cpu0;
  const seconds = (Date.now() - start) / 1000;
  return { messages: n, seconds, cpuMs, cpuPerMessageMs: cpuMs / n, restCalls: t.world.emu.requests.length - reqFrom };
}
