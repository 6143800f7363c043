import type { CommandContext } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { openAttachment } from '../chat/attachments.js';
import { formatReport, ingest, ingestText, type IngestReport } from './ingest/index.js';
import type { DatasetKind } from '../datasets/types.js';

/** `!train [positive|negative] [text]` with text and/or attachments: ingest into the active dataset. */
export async function trainFromInput(ctx: CommandContext, kind: DatasetKind, text: string): Promise<void> {
  const { datasets } = ctx.services;
  const dataset = datasets.activeName();
  await datasets.ensure(dataset);
  const onRecords = async (batch: import('../datasets/types.js').ChatRecord[]) => {
    await datasets.appendMany(kind, batch, 'train', dataset);
  };
  if (!text.trim() && ctx.attachments.length === 0) {
    throw new UserError(
      'NothingToTrain',
      `Give examples after \`${ctx.prefix}train ${kind}\` (\`User:\`/\`Assistant:\` lines) or attach a JSONL, JSON, CSV or text file.`,
    );
  }
  const reports: IngestReport[] = [];
  if (text.trim()) reports.push(await ingestText(text, { onRecords }));
  for (const a of ctx.attachments) {
    const source = await openAttachment(a);
    const report = await ingest(source, { name: a.name, size: a.size, onRecords });
    ctx.log.info({ file: a.name, bytes: report.bytes, ms: report.ms, accepted: report.accepted, rejected: report.rejected }, 'ingested');
    reports.push(report);
  }
  for (const r of reports) await ctx.reply(formatReport(r, kind, dataset));
}
