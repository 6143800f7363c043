/**
 * `npm run bench -- --shards` (or `tsx bench/shards.ts`): Eos under discord.js's ShardingManager with 1, 2 and 4
 * shards against the emulator (4 servers, ids chosen so that every count spreads them evenly) and an instant LLM.
 * Per run: messages observed per second (a burst of plain messages over the 4 servers, closed by one mention per
 * server whose reply arrives after everything before it on that shard), replies per second (closed loop: 2
 * channels per server, each sends its next mention when the previous one is answered), CPU per reply (all bot
 * processes: manager + shards, from /proc) and RSS per shard process. Printed as ratios to one shard.
 */
import { readFile } from 'node:fs/promises';
import type { EmuChannel } from '../tests/emulator/index.js';
import { shardStatus, startShardWorld, startSharded, type ShardWorld } from '../tests/e2e/shard-harness.js';

export interface ShardRunFigures {
  shards: number;
  observedPerSecond: number;
  repliesPerSecond: number;
  cpuMsPerReply: number;
  rssMbPerShard: number;
  startSeconds: number;
}

const CLK_TCK = 100;

async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) || 0) + (Number(fields[12]) || 0)) * (1000 / CLK_TCK);
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function botMessagesMatching(w: ShardWorld, channelId: string, text: string): number {
  return w.emu.botMessages(channelId).filter((m) => m.content.includes(text)).length;
}

async function observed(w: ShardWorld, channels: EmuChannel[], count: number, round: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const c = channels[i % channels.length]!;
    w.emu.userSays({
      channelId: c.id,
      userId: w.alice.id,
      content: `plain message number ${i} about nothing in particular, long enough to look like chat`,
    });
  }
  channels.forEach((c, i) =>
    w.emu.userSays({ channelId: c.id, userId: w.alice.id, content: `<@${w.emu.botUser.id}> close-${round}-${i}-x` }),
  );
  await w.emu.waitFor(() => channels.every((c, i) => botMessagesMatching(w, c.id, `close-${round}-${i}-x`) > 0), {
    label: 'closing replies',
    timeoutMs: 120_000,
  });
  return count / ((performance.now() - started) / 1000);
}

async function closedLoop(w: ShardWorld, channels: EmuChannel[], ms: number): Promise<number> {
  let replies = 0;
  const end = performance.now() + ms;
  await Promise.all(
    channels.map(async (c, ci) => {
      for (let n = 0; performance.now() < end; n++) {
        const tag = `loop-${ci}-${n}-x`;
        w.emu.userSays({ channelId: c.id, userId: w.alice.id, content: `<@${w.emu.botUser.id}> ${tag}` });
        await w.emu.waitFor(() => botMessagesMatching(w, c.id, tag) > 0, { label: tag, timeoutMs: 30_000 });
        if (performance.now() <= end) replies++;
      }
    }),
  );
  return replies / (ms / 1000);
}

export async function runShardBench(
  counts: number[],
  opts: { observe: number; loopMs: number },
  log: (l: string) => void,
): Promise<ShardRunFigures[]> {
  const out: ShardRunFigures[] = [];
  for (const shards of counts) {
    const w = await startShardWorld({
      shards,
      guildShards: [0, 1, 2, 3].map((i): [number, number] => [i, 4]),
      conversation: { streamEditIntervalMs: 250, feedbackButtons: false },
    });
    // Instant LLM: the whole answer in one chunk, echoing the tag the load driver waits for.
    w.llm.respondWith((req) => ({
      text: `ok ${/(close|loop)-[\w-]+-x/.exec(JSON.stringify(req.messages.at(-1)?.content ?? ''))?.[0] ?? ''}`,
      chunkSize: 4096,
    }));
    const extra = w.guilds.map((g) => w.emu.createChannel({ guildId: g.id, name: 'second' }));
    const channels = [...w.general, ...extra];
    const t0 = performance.now();
    const run = await startSharded(w, { EOS_SHARDS: String(shards), EOS_LOG_LEVEL: 'warn' }, { journal: false });
    try {
      const status = await shardStatus(w.dataDir, shards);
      const startSeconds = (performance.now() - t0) / 1000;
      const pids = [run.proc.pid!, ...status.shards.map((s) => s.result!.pid)];
      // Warm up (JIT, history backfill of every channel), then measure.
      await observed(w, channels, 40, 'warm');
      const observedPerSecond = await observed(w, w.general, opts.observe, 'measure');
      const cpu0 = (await Promise.all(pids.map(cpuMs))).reduce((a, b) => a + b, 0);
      const before = w.llm.chatRequests().length;
      const repliesPerSecond = await closedLoop(w, channels, opts.loopMs);
      const cpu1 = (await Promise.all(pids.map(cpuMs))).reduce((a, b) => a + b, 0);
      const replies = w.llm.chatRequests().length - before;
      const rss = await Promise.all(status.shards.map((s) => rssMb(s.result!.pid)));
      const figures: ShardRunFigures = {
        shards,
        observedPerSecond,
        repliesPerSecond,
        startSeconds,
        cpuMsPerReply: (cpu1 - cpu0) / Math.max(1, replies),
        rssMbPerShard: rss.reduce((a, b) => a + b, 0) / rss.length,
      };
      log(`shards ${shards}: ${JSON.stringify(figures)}`);
      out.push(figures);
    } finally {
      await run.stop();
      await w.close();
    }
  }
  return out;
}

export function renderShardTable(rows: ShardRunFigures[]): string {
  const one = rows.find((r) => r.shards === 1) ?? rows[0]!;
  const ratio = (v: number, base: number) => `${v.toFixed(1)} (${(v / base).toFixed(2)}x)`;
  return [
    '| Shards | Messages observed/s | Replies/s | CPU per reply (ms, all processes) | RSS per shard (MB) | Start until all ready (s) |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.shards} | ${ratio(r.observedPerSecond, one.observedPerSecond)} | ${ratio(r.repliesPerSecond, one.repliesPerSecond)} | ${ratio(r.cpuMsPerReply, one.cpuMsPerReply)} | ${ratio(r.rssMbPerShard, one.rssMbPerShard)} | ${r.startSeconds.toFixed(1)} |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const rows = await runShardBench([1, 2, 4], { observe: quick ? 200 : 1000, loopMs: quick ? 5000 : 15_000 }, (l) =>
    process.stderr.write(`${l}\n`),
  );
  process.stdout.write(`${renderShardTable(rows)}\n`);
  process.exit(0);
}
