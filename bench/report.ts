/** The one results table (markdown) printed by `npm run bench` and written into docs/BENCHMARKS.md. */
import type { ArchiveFigures } from './archive.js';
import type { MemoryRun } from './memory.js';
import { fixed, median, mib } from './lib/stats.js';
import type { TextPathOptions, TextRun } from './text-path.js';
import type { TrainIngestFigures } from './train-ingest.js';
import type { VoicePipelineFigures } from './voice-pipeline.js';

export interface BenchResults {
  text: TextRun[];
  textOptions: TextPathOptions;
  memory: MemoryRun[];
  ingest: TrainIngestFigures;
  archive: ArchiveFigures;
  voice: VoicePipelineFigures;
}

type Row = [figure: string, eos: string, reference: string];

function run(text: TextRun[], bot: TextRun['bot'], cap: TextRun['restCap']): TextRun {
  const r = text.find((t) => t.bot === bot && t.restCap === cap);
  if (!r) throw new Error(`bench: no text run for ${bot}/${cap}`);
  return r;
}

const ms = (p50: number, p99: number) => `p50 ${fixed(p50, 0)} ms, p99 ${fixed(p99, 0)} ms`;

function textRows(res: BenchResults): Row[] {
  const rows: Row[] = [];
  for (const cap of ['shipped', 'lifted'] as const) {
    const eos = run(res.text, 'eos', cap).loaded;
    const bare = run(res.text, 'bare', cap).loaded;
    const capText = cap === 'shipped' ? "discord.js's 50 REST req/s cap as shipped" : 'REST cap lifted';
    rows.push(
      [`Text: replies/s, ${res.textOptions.channels} channels closed loop, ${capText}`, `**${fixed(eos.perSecond, 1)}/s**`, `bare discord.js ${fixed(bare.perSecond, 1)}/s; Eos/bare **${fixed(eos.perSecond / bare.perSecond, 2)}**`],
      [`Text: latency at that load (MESSAGE_CREATE → reply POST${cap === 'shipped' ? '; mostly waiting for the cap' : ''})`, ms(eos.p50, eos.p99), `bare ${ms(bare.p50, bare.p99)}`],
    );
    if (cap === 'lifted') {
      const perReply = (l: typeof eos) => `${fixed((10 * l.botCpuPct) / l.perSecond, 2)} ms`;
      rows.push([`Text: bot CPU per reply at that load (CPU %: 100 % = one core)`, `**${perReply(eos)}** (bot at ${fixed(eos.botCpuPct, 0)} % CPU)`,
        `bare ${perReply(bare)} (${fixed(bare.botCpuPct, 0)} % CPU); Eos/bare ${fixed((eos.botCpuPct / eos.perSecond) / (bare.botCpuPct / bare.perSecond), 1)}×; emulator + fake LLM + driver used ${fixed(eos.driverCpuPct, 0)} % / ${fixed(bare.driverCpuPct, 0)} %`]);
    }
  }
  const eosIdle = run(res.text, 'eos', 'shipped').idle;
  const bareIdle = run(res.text, 'bare', 'shipped').idle;
  if (eosIdle && bareIdle) rows.push([`Text: latency at a light load, ${res.textOptions.idleRate} msg/s open loop (p99 = slowest of ${eosIdle.replies})`, ms(eosIdle.p50, eosIdle.p99), `bare ${ms(bareIdle.p50, bareIdle.p99)}`]);
  const eos = run(res.text, 'eos', 'lifted').loaded;
  const bare = run(res.text, 'bare', 'lifted').loaded;
  rows.push([`Text: REST calls per reply`, `${fixed(eos.restPerReply, 2)} (typing + message)`, `bare ${fixed(bare.restPerReply, 2)}`]);
  return rows;
}

function memoryRows(res: BenchResults): Row[] {
  const eos = res.memory.find((m) => m.bot === 'eos');
  const bare = res.memory.find((m) => m.bot === 'bare');
  if (!eos || !bare) return [];
  const both = (pick: (m: MemoryRun) => { rss: number; heapUsed: number }) =>
    [`**${mib(pick(eos).rss)} MiB** (heap used ${mib(pick(eos).heapUsed)})`, `bare discord.js ${mib(pick(bare).rss)} MiB (heap used ${mib(pick(bare).heapUsed)})`] as const;
  return [
    [`Memory: RSS idle after start, after GC`, ...both((m) => m.idle)],
    [`Memory: RSS with ${eos.channels.toLocaleString('en')} channels × ${eos.perChannel} messages, after GC`, ...both((m) => m.full)],
  ];
}

function dataRows(res: BenchResults): Row[] {
  const { ingest, archive } = res;
  const rate = (bytes: number, msTaken: number) => `**${fixed(bytes / 1048576 / (msTaken / 1000), 1)} MiB/s**`;
  const peak = (peakRss: number, growth: number) => `peak RSS ${mib(peakRss)} MiB (at most +${mib(growth)} MiB during a pass)`;
  return [
    [`\`!train\` ingest, ${mib(ingest.fileBytes)} MiB chat JSONL, default limits (median of ${ingest.repeats})`, rate(ingest.plain.report.bytes, ingest.plain.report.ms), `${ingest.plain.report.accepted} records; ${peak(ingest.plain.peakRss, ingest.plain.peakGrowth)}`],
    [`\`!train\` ingest, same file, every record tokenized`, rate(ingest.tokenized.report.bytes, ingest.tokenized.report.ms), peak(ingest.tokenized.peakRss, ingest.tokenized.peakGrowth)],
    [`\`!archive\`, ${mib(archive.inputBytes)} MiB of datasets (${archive.files} files, zlib ${archive.level}; median of ${archive.repeats})`, rate(archive.inputBytes, archive.ms), `zip ${fixed((100 * archive.zipBytes) / archive.inputBytes, 1)} % of input; ${peak(archive.peakRss, archive.peakGrowth)}`],
  ];
}

function voiceRows(res: BenchResults): Row[] {
  const v = res.voice;
  const cpu = v.cpu.map((c) => `${c.speakers}: ${fixed(c.msPerAudioSecond, 1)}`).join(', ');
  const one = v.cpu[0]?.msPerAudioSecond ?? Number.NaN;
  const over = (xs: number[]) => fixed(median(xs) - v.expectedMs, 0);
  return [
    [`Voice: CPU per listened speaker (Opus decode → 16 kHz → VAD)`, `**${fixed(one / 10, 2)} % of a core**`, `ms CPU per audio second per speaker with 1/2/4 speakers: ${cpu}`],
    [`Voice: pipeline's own latency (end of speech → first audio, minus ${v.expectedMs} ms of fixed provider + silence time)`, `**${over(v.latency.discord)} ms** (Discord feed)`, `${over(v.latency.continuous)} ms when the client keeps sending noise; median of ${v.trials}`],
  ];
}

export function renderTable(res: BenchResults): string {
  const rows: Row[] = [...textRows(res), ...memoryRows(res), ...dataRows(res), ...voiceRows(res)];
  const lines = ['| Figure | Eos | Reference / detail |', '| --- | --- | --- |'];
  for (const [figure, eos, reference] of rows) lines.push(`| ${figure} | ${eos} | ${reference} |`);
  return lines.join('\n');
}
