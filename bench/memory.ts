/**
 * Memory of Eos (and of a bare discord.js bot, for reference) in a child process: RSS after start and after
 * `channels` channels each received `perChannel` messages through the emulator. Figures are process.memoryUsage()
 * after two forced GCs (--expose-gc). Run alone: npx tsx bench/memory.ts [channels=1000] [perChannel=50]
 */
import { startBotChild, type BotKind } from './lib/child-proc.js';
import type { MemorySample } from './lib/ipc.js';
import { isMain } from './lib/main.js';
import { ReplyWatcher } from './lib/replies.js';
import { mib } from './lib/stats.js';
import { startBenchWorld, type BenchWorld } from './lib/world.js';

export interface MemoryRun {
  bot: BotKind;
  idle: MemorySample;
  full: MemorySample;
  channels: number;
  perChannel: number;
  fillSeconds: number;
  /** Eos: history entries in the prompt of a mention sent after the fill (system prompt excluded), per channel checked. */
  historyCheck: number[];
}

const WORDS =
  'sure thing I think the new build is fine but the tests on the voice side still look slow to me honestly maybe tomorrow'.split(' ');
const USERS = 20;

/** A chat line of about 100 characters, different for every message. */
function chatLine(round: number, channel: number): string {
  const words: string[] = [];
  for (let i = 0; words.join(' ').length < 90; i++) words.push(WORDS[(round * 7 + channel * 3 + i * 5) % WORDS.length] ?? 'x');
  return `${words.join(' ')} (${round}/${channel})`;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Round r: one ordinary message (no mention, no trigger word, so no reply) in every channel from one of 20 users,
 * then a mention from the owner in one channel; the next round starts when that mention is answered (the gateway
 * delivers in order, so the bot has then seen the whole round).
 */
async function fill(world: BenchWorld, watcher: ReplyWatcher, perChannel: number): Promise<void> {
  for (let round = 0; round < perChannel; round++) {
    for (const [c, channel] of world.channels.entries()) {
      const user = world.users[(round + c) % world.users.length];
      if (user) world.emu.userSays({ channelId: channel.id, userId: user.id, content: chatLine(round, c) });
    }
    const sentinel = world.channels[round % world.channels.length];
    if (!sentinel) continue;
    await watcher.say({ channelId: sentinel.id, userId: world.owner.id, content: `<@${world.emu.botUser.id}> round ${round} done?` });
  }
}

/** Mentions in a few channels after the fill; returns the number of history messages in each resulting LLM prompt. */
async function checkHistories(world: BenchWorld, watcher: ReplyWatcher): Promise<number[]> {
  const picks = [world.channels.length - 1, Math.floor(world.channels.length / 2), 1].map((i) => world.channels[i]);
  const sizes: number[] = [];
  for (const channel of picks) {
    if (!channel) continue;
    await watcher.say({ channelId: channel.id, userId: world.owner.id, content: `<@${world.emu.botUser.id}> what did we talk about?` });
    const prompt = world.llm.chatRequests().at(-1)?.messages ?? [];
    sizes.push(prompt.filter((m) => m.role !== 'system').length);
  }
  return sizes;
}

async function runOne(bot: BotKind, channels: number, perChannel: number): Promise<MemoryRun> {
  const world = await startBenchWorld({ channels, users: USERS });
  // Cap lifted so the 1,000 first-sight history backfills (GET /messages) are not spread over 20 s by discord.js.
  const child = await startBotChild(bot, { ...world.childInit(true), replyTo: 'mentions' });
  const watcher = new ReplyWatcher(world.emu);
  try {
    await settle(1000);
    const idle = await child.memory();
    const t0 = performance.now();
    await fill(world, watcher, perChannel);
    const fillSeconds = (performance.now() - t0) / 1000;
    await settle(2000);
    const full = await child.memory();
    const historyCheck = bot === 'eos' ? await checkHistories(world, watcher) : [];
    return { bot, idle, full, channels, perChannel, fillSeconds, historyCheck };
  } finally {
    watcher.dispose();
    await child.stop();
    await world.close();
  }
}

export async function runMemory(channels = 1000, perChannel = 50, log: (line: string) => void = () => undefined): Promise<MemoryRun[]> {
  const runs: MemoryRun[] = [];
  for (const bot of ['eos', 'bare'] as const) {
    const run = await runOne(bot, channels, perChannel);
    log(`memory: ${describeMemory(run)}`);
    runs.push(run);
  }
  return runs;
}

export function describeMemory(r: MemoryRun): string {
  const seen = r.full.seen === undefined ? '' : `, ${r.full.seen} messageCreate seen`;
  const check = r.historyCheck.length ? `, history entries in prompts after fill: ${r.historyCheck.join('/')}` : '';
  const m = (s: MemorySample) => `RSS ${mib(s.rss)} MiB (heap used ${mib(s.heapUsed)} of ${mib(s.heapTotal)}, external ${mib(s.external)})`;
  return `${r.bot}: idle ${m(r.idle)}; ${r.channels}x${r.perChannel} messages ${m(r.full)}; fill ${r.fillSeconds.toFixed(1)} s${seen}${check}`;
}

if (isMain(import.meta.url)) {
  await runMemory(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 50), (line) => console.log(line));
}
