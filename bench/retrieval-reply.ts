/**
 * Issue 12 item 3: reply CPU with the few-shot memory at 0 (baseline), 10k, 100k and 1M examples, with one
 * append to the active positive.jsonl per reply (as a 👍 or `!train` in a busy server would). The real Eos
 * (compiled, in its own child process) answers mentions through the Discord emulator and the instant fake LLM
 * (bench/lib/world.ts); before it starts, the guild's active dataset gets a positive.jsonl of N synthetic
 * records (bench/lib/retrieval-corpus.ts); the first reply waits for the index build (not measured). Embeddings are off here (`training.embeddingsModel: "off"`): this measures
 * the lexical index that serves any size. Figures: bot CPU per reply, reply latency p50/p99, lost replies.
 * Run alone: npx tsx bench/retrieval-reply.ts [rate=10] [seconds=15] [sizes...]
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { behaviourSchema } from '../src/config-schema.js';
import { startBotChild } from './lib/child-proc.js';
import { isMain } from './lib/main.js';
import { ReplyWatcher } from './lib/replies.js';
import { labelledPairs, recordLine, writeCorpus } from './lib/retrieval-corpus.js';
import { LLM_REPLY, startBenchWorld } from './lib/world.js';
import { cpuPerReply } from './text-path.js';
import { openLoop, type LoadFigures } from './text-load.js';

export interface ReplyWithMemoryFigures {
  size: number;
  cpuPerReplyMs: number;
  p50: number;
  p99: number;
  lost: number;
  wrong: number;
  appends: number;
  firstReplyMs: number;
}

export async function runReplyWithMemory(
  size: number,
  rate: number,
  seconds: number,
  log: (l: string) => void,
): Promise<ReplyWithMemoryFigures> {
  const world = await startBenchWorld({ channels: 8, users: 8 });
  const configFile = path.join(world.dataDir, 'eos.config.json');
  const behaviour = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  await writeFile(configFile, JSON.stringify({ ...behaviour, training: { embeddingsModel: 'off' } }));
  // Each server has its own datasets (perServerData, on by default): the corpus goes where this guild's memory reads.
  const perServer = behaviourSchema.parse(behaviour).perServerData;
  const guildId = world.channels[0]!.guildId!;
  const dsDir = perServer
    ? path.join(world.dataDir, 'guilds', guildId, 'datasets', 'default')
    : path.join(world.dataDir, 'datasets', 'default');
  await mkdir(dsDir, { recursive: true });
  const file = path.join(dsDir, 'positive.jsonl');
  if (size > 0) await writeCorpus(file, size, await labelledPairs());
  else await writeFile(file, '');
  const prof = process.env.EOS_BENCH_CPU_PROF; // a folder: the bot child writes a V8 CPU profile there
  const child = await startBotChild(
    'eos',
    { ...world.childInit(true), replyTo: 'mentions' },
    prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
  );
  const watcher = new ReplyWatcher(world.emu);
  const target = { world, watcher, bot: child, expected: LLM_REPLY };
  try {
    // The first reply waits for the index build (started at startup); not measured.
    const t0 = Date.now();
    const first = await watcher.say({
      channelId: world.channels[0]!.id,
      userId: world.users[0]!.id,
      content: `<@${world.emu.botUser.id}> warm up`,
    });
    const firstReplyMs = Date.now() - t0;
    if (first.content !== LLM_REPLY) throw new Error(`bench: unexpected first reply ${first.content}`);
    // Like text-load's prime (one mention per channel, history backfill unmeasured) but patient: a loaded machine is slow.
    for (const [i, channel] of world.channels.entries()) {
      const hit = await watcher.say({
        channelId: channel.id,
        userId: world.users[i % world.users.length]!.id,
        content: `<@${world.emu.botUser.id}> hello ${i}`,
      });
      if (hit.content !== LLM_REPLY) throw new Error(`bench: priming reply was ${JSON.stringify(hit.content)}`);
    }
    await new Promise((r) => setTimeout(r, 1500));
    let appends = 0;
    let stop = false;
    const appender = (async () => {
      while (!stop) {
        await appendFile(file, recordLine(`appended question ${appends} about the weather today`, `appended answer ${appends}`));
        appends++;
        await new Promise((r) => setTimeout(r, 1000 / rate));
      }
    })();
    const loaded: LoadFigures = await openLoop(target, rate, seconds * 1000);
    stop = true;
    await appender;
    const fig = {
      size,
      cpuPerReplyMs: cpuPerReply(loaded),
      p50: loaded.p50,
      p99: loaded.p99,
      lost: loaded.lost,
      wrong: loaded.wrong,
      appends,
      firstReplyMs,
    };
    log(
      `reply with memory ${size}: ${fig.cpuPerReplyMs.toFixed(2)} ms CPU/reply, p50 ${fig.p50} ms, p99 ${fig.p99} ms, lost ${fig.lost}, wrong ${fig.wrong}, ${appends} appends, first reply after ${firstReplyMs} ms`,
    );
    return fig;
  } finally {
    watcher.dispose();
    await child.stop();
    await world.close();
  }
}

export function replyWithMemoryTable(rows: ReplyWithMemoryFigures[]): string {
  const base = rows.find((r) => r.size === 0)?.cpuPerReplyMs;
  return [
    '| examples | bot CPU per reply | vs 0 examples | reply p50 / p99 | lost / wrong | appends | first reply (index build) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.size.toLocaleString('en')} | ${r.cpuPerReplyMs.toFixed(2)} ms | ${base ? `${((r.cpuPerReplyMs / base - 1) * 100).toFixed(0)} %` : '-'} | ${r.p50} / ${r.p99} ms | ${r.lost} / ${r.wrong} | ${r.appends} | ${(r.firstReplyMs / 1000).toFixed(1)} s |`,
    ),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const rate = Number(process.argv[2] ?? 10);
  const seconds = Number(process.argv[3] ?? 15);
  const sizes = process.argv.slice(4).map(Number);
  const rows: ReplyWithMemoryFigures[] = [];
  for (const size of sizes.length ? sizes : [0, 10_000, 100_000, 1_000_000])
    rows.push(await runReplyWithMemory(size, rate, seconds, (l) => process.stderr.write(`${l}\n`)));
  process.stdout.write(`${replyWithMemoryTable(rows)}\n`);
}
