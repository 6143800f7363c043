import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { EXPORT_FORMATS, recordToFormat, type ExportFormat } from '../datasets/export-formats.js';
import { ingest } from '../training/ingest/index.js';
import type { CliContext } from './context.js';
import { datasetFile } from './context.js';
import { checkDatasetName } from '../datasets/store.js';
import type { ChatRecord } from '../datasets/types.js';

export async function datasetList(ctx: CliContext): Promise<number> {
  const active = ctx.datasets.activeName();
  const all = await ctx.datasets.list();
  if (all.length === 0) ctx.out('No datasets yet.');
  for (const m of all) {
    const c = m.counts;
    ctx.out(
      `${m.name === active ? '*' : ' '} ${m.name.padEnd(24)} positive ${c.positive}  negative ${c.negative}  preference ${c.preference}`,
    );
  }
  return 0;
}

export async function datasetStats(ctx: CliContext, name?: string): Promise<number> {
  const dataset = checkDatasetName(name ?? ctx.datasets.activeName());
  const m = await ctx.datasets.manifest(dataset);
  ctx.out(`dataset   ${m.name}${m.name === ctx.datasets.activeName() ? ' (active)' : ''}`);
  ctx.out(`created   ${m.created}\nupdated   ${m.updated}`);
  for (const kind of ['positive', 'negative', 'preference'] as const) {
    const bytes = (await stat(datasetFile(ctx, dataset, kind)).catch(() => ({ size: 0 }))).size;
    ctx.out(`${kind.padEnd(10)}${String(m.counts[kind]).padStart(8)} records ${String(bytes).padStart(12)} bytes`);
  }
  const sources = Object.entries(m.sources)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  ctx.out(`sources   ${sources || '-'}`);
  return 0;
}

/** Checks a file as `!train` would (same sanitizing and validator), storing nothing; exit code 1 when any record is rejected. */
export async function datasetValidate(ctx: CliContext, file: string): Promise<number> {
  const size = (await stat(file)).size;
  const prepare = (record: ChatRecord) => ctx.datasets.prepare({ kind: 'positive', record }).record as ChatRecord;
  const report = await ingest(createReadStream(file), {
    name: file,
    size,
    maxBytes: Number.MAX_SAFE_INTEGER,
    prepare,
    onRecords: async () => undefined,
  });
  ctx.out(`${file}: ${report.format}, ${report.accepted} valid, ${report.rejected} rejected`);
  for (const e of report.errors) ctx.out(`  line ${e.line}: ${e.code}: ${e.message}`);
  if (report.rejected > report.errors.length) ctx.out(`  … and ${report.rejected - report.errors.length} more`);
  return report.rejected > 0 || report.accepted === 0 ? 1 : 0;
}

export async function datasetExport(
  ctx: CliContext,
  opts: { name?: string; kind: string; out?: string; format?: string },
): Promise<number> {
  const dataset = checkDatasetName(opts.name ?? ctx.datasets.activeName());
  const kind = opts.kind as 'positive' | 'negative' | 'preference';
  if (!['positive', 'negative', 'preference'].includes(kind)) throw new Error('kind is positive, negative or preference');
  const format = (opts.format ?? 'openai') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new Error(`format is ${EXPORT_FORMATS.join(', ')}`);
  await ctx.datasets.manifest(dataset);
  const source = createReadStream(datasetFile(ctx, dataset, kind));
  const target = opts.out ? createWriteStream(opts.out) : process.stdout;
  const body = format === 'openai' ? source : Readable.from(converted(source, kind, format));
  await pipeline(body, target, { end: Boolean(opts.out) }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  if (opts.out) ctx.out(`Wrote ${kind} records of ${dataset} to ${opts.out} (${format})`);
  return 0;
}

/** Each stored record in `format`; lines that are not JSON (a torn tail) are left out. */
async function* converted(
  source: NodeJS.ReadableStream,
  kind: 'positive' | 'negative' | 'preference',
  format: ExportFormat,
): AsyncGenerator<string> {
  for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    yield `${JSON.stringify(recordToFormat(record, kind, format))}\n`;
  }
}
