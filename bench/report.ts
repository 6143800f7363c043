/**
 * The results tables (markdown) printed by `npm run bench` and written into docs/BENCHMARKS.md: every hot-path and
 * footprint figure as Eos / reference ratios from one run (with a "before" column when a previous run's results are
 * given), then the data and voice engines.
 */
import type { ArchiveFigures } from './archive.js';
import type { MemoryRun } from './memory.js';
import { fixed, median, mib } from './lib/stats.js';
import type { StartFigures } from './start.js';
import { cpuPerReply, type TextPathOptions, type TextResults } from './text-path.js';
import type { TrainIngestFigures } from './train-ingest.js';
import type { VoicePipelineFigures } from './voice-pipeline.js';

export interface BenchResults {
  text: TextResults;
  textOptions: TextPathOptions;
  memory: MemoryRun[];
  start: StartFigures[];
  ingest?: TrainIngestFigures;
  archive?: ArchiveFigures;
  voice?: VoicePipelineFigures;
}

/** One compared figure: Eos, the reference, their ratio and the target ratio (or absolute bound). */
export interface Ratio {
  figure: string;
  eos: number;
  ref: number;
  refName: string;
  unit: string;
  digits: number;
  target: string;
  /** Ratio compared with the target (absolute figures: Eos's value). */
  value: number;
  met: boolean;
}

function ratio(figure: string, eos: number, ref: number, refName: string, unit: string, digits: number, max: number): Ratio {
  const value = eos / ref;
  return { figure, eos, ref, refName, unit, digits, target: `≤ ${max}×`, value, met: value <= max };
}

function absolute(figure: string, eos: number, ref: number, refName: string, unit: string, digits: number, max: number): Ratio {
  return { figure, eos, ref, refName, unit, digits, target: `≤ ${max} ${unit}`, value: eos, met: eos <= max };
}

export function ratios(res: BenchResults): Ratio[] {
  const out: Ratio[] = [];
  const reply = (bot: string) => res.text.replies.find((r) => r.bot === bot)?.loaded;
  const eos = reply('eos');
  const llm = reply('llm');
  const o = res.textOptions;
  if (eos && llm) {
    out.push(
      ratio(
        `CPU per reply (${o.replyRate} mentions/s over ${o.replyChannels} channels)`,
        cpuPerReply(eos),
        cpuPerReply(llm),
        'minimal LLM bot',
        'ms',
        2,
        1.5,
      ),
    );
    out.push(
      absolute(
        'REST calls per reply (instant model: nothing needs more than one)',
        eos.restPerReply,
        llm.restPerReply,
        'minimal LLM bot',
        'calls',
        2,
        1,
      ),
    );
  }
  for (const channels of o.observeChannels) {
    const e = res.text.observed.find((r) => r.bot === 'eos' && r.channels === channels)?.figures;
    const b = res.text.observed.find((r) => r.bot === 'bare' && r.channels === channels)?.figures;
    if (e && b) {
      out.push(
        ratio(
          `CPU per observed message (${o.observeRate} msg/s over ${channels} channels)`,
          e.cpuPerMessageMs * 1000,
          b.cpuPerMessageMs * 1000,
          'bare bot',
          'µs',
          0,
          1.5,
        ),
      );
    }
  }
  const start = (kind: string) => res.start.find((s) => s.kind === kind);
  const npm = start('npm start') ?? start('npm start (tsx)');
  const node = start('node dist/main.js');
  const bare = start('bare bot');
  if (npm && bare)
    out.push(
      ratio(
        `Idle RSS of the whole process tree, \`${npm.kind}\` (${npm.processes} processes)`,
        median(npm.treeRss) / 2 ** 20,
        median(bare.treeRss) / 2 ** 20,
        'bare bot',
        'MiB',
        1,
        1.2,
      ),
    );
  if (node && bare)
    out.push(
      ratio(
        'Idle RSS of the whole process tree, `node dist/main.js`',
        median(node.treeRss) / 2 ** 20,
        median(bare.treeRss) / 2 ** 20,
        'bare bot',
        'MiB',
        1,
        1.2,
      ),
    );
  const mem = (bot: string) => res.memory.find((m) => m.bot === bot);
  const me = mem('eos');
  const mb = mem('bare');
  if (me && mb) {
    out.push(ratio('Idle RSS after GC (bot process)', me.idle.rss / 2 ** 20, mb.idle.rss / 2 ** 20, 'bare bot', 'MiB', 1, 1.2));
    out.push(
      ratio(
        `RSS with ${me.channels.toLocaleString('en')} channels × ${me.perChannel} messages, after GC`,
        me.full.rss / 2 ** 20,
        mb.full.rss / 2 ** 20,
        'bare bot',
        'MiB',
        1,
        1.3,
      ),
    );
  }
  if (npm && bare)
    out.push(absolute(`Start to READY, \`${npm.kind}\``, median(npm.readyMs), median(bare.readyMs), 'bare bot', 'ms', 0, 1000));
  if (node && bare)
    out.push(absolute('Start to READY, `node dist/main.js`', median(node.readyMs), median(bare.readyMs), 'bare bot', 'ms', 0, 1000));
  return out;
}

const fmt = (v: number, digits: number) => fixed(v, digits);

/** The same figure in another run: `npm start` ran tsx before the build, and the process count may differ. */
function sameFigure(a: string, b: string): boolean {
  const norm = (f: string) => f.replace(' (tsx)', '').replace(/ \(\d+ processes\)/, '');
  return norm(a) === norm(b);
}

/** The ratio table; `before` (a previous run's ratios, e.g. the code before issue 12) adds a column. */
export function renderRatioTable(now: Ratio[], before?: Ratio[]): string {
  const head = before
    ? ['| Figure | Eos | Reference | Eos / reference | Before | Target | Met |', '| --- | --- | --- | --- | --- | --- | --- |']
    : ['| Figure | Eos | Reference | Eos / reference | Target | Met |', '| --- | --- | --- | --- | --- | --- |'];
  const lines = [...head];
  for (const r of now) {
    const shown = r.target.includes('×') ? `**${fixed(r.value, 2)}×**` : `**${fmt(r.eos, r.digits)} ${r.unit}**`;
    const cells = [r.figure, `${fmt(r.eos, r.digits)} ${r.unit}`, `${fmt(r.ref, r.digits)} ${r.unit} (${r.refName})`, shown];
    if (before) {
      const b = before.find((x) => sameFigure(x.figure, r.figure));
      cells.push(b ? (b.target.includes('×') ? `${fixed(b.value, 2)}×` : `${fmt(b.eos, b.digits)} ${b.unit}`) : 'n/a');
    }
    cells.push(r.target, r.met ? 'yes' : '**no**');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

type Row = [figure: string, eos: string, reference: string];

function dataRows(res: BenchResults): Row[] {
  const { ingest, archive } = res;
  if (!ingest || !archive) return [];
  const rate = (bytes: number, msTaken: number) => `**${fixed(bytes / 1048576 / (msTaken / 1000), 1)} MiB/s**`;
  const peak = (peakRss: number, growth: number) => `peak RSS ${mib(peakRss)} MiB (at most +${mib(growth)} MiB during a pass)`;
  return [
    [
      `\`!train\` ingest, ${mib(ingest.fileBytes)} MiB chat JSONL, default limits (median of ${ingest.repeats})`,
      rate(ingest.plain.report.bytes, ingest.plain.report.ms),
      `${ingest.plain.report.accepted} records; ${peak(ingest.plain.peakRss, ingest.plain.peakGrowth)}`,
    ],
    [
      `\`!train\` ingest, same file, every record tokenized`,
      rate(ingest.tokenized.report.bytes, ingest.tokenized.report.ms),
      peak(ingest.tokenized.peakRss, ingest.tokenized.peakGrowth),
    ],
    [
      `\`!archive\`, ${mib(archive.inputBytes)} MiB of datasets (${archive.files} files, zlib ${archive.level}; median of ${archive.repeats})`,
      rate(archive.inputBytes, archive.ms),
      `zip ${fixed((100 * archive.zipBytes) / archive.inputBytes, 1)} % of input; ${peak(archive.peakRss, archive.peakGrowth)}`,
    ],
  ];
}

function voiceRows(res: BenchResults): Row[] {
  const v = res.voice;
  if (!v) return [];
  const cpu = v.cpu.map((c) => `${c.speakers}: ${fixed(c.msPerAudioSecond, 1)}`).join(', ');
  const one = v.cpu[0]?.msPerAudioSecond ?? Number.NaN;
  const over = (xs: number[]) => fixed(median(xs) - v.expectedMs, 0);
  return [
    [
      `Voice: CPU per listened speaker (Opus decode → 16 kHz → VAD)`,
      `**${fixed(one / 10, 2)} % of a core**`,
      `ms CPU per audio second per speaker with 1/2/4 speakers: ${cpu}`,
    ],
    [
      `Voice: pipeline's own latency (end of speech → first audio, minus ${v.expectedMs} ms of fixed provider + silence time)`,
      `**${over(v.latency.discord)} ms** (Discord feed)`,
      `${over(v.latency.continuous)} ms when the client keeps sending noise; median of ${v.trials}`,
    ],
  ];
}

/** Engines without a reference bot: absolute figures. */
export function renderEngineTable(res: BenchResults): string {
  const rows = [...dataRows(res), ...voiceRows(res)];
  if (rows.length === 0) return '';
  const lines = ['| Figure | Eos | Detail |', '| --- | --- | --- |'];
  for (const [figure, eos, reference] of rows) lines.push(`| ${figure} | ${eos} | ${reference} |`);
  return lines.join('\n');
}
