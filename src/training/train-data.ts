/**
 * `!train` ingest: the inline text and each attachment are separate inputs. Each input is read and
 * checked whole (rejected lines reported with their numbers), then its accepted records are written
 * as ONE commit: all or nothing, duplicates of stored records skipped (re-sending adds nothing).
 * Every input gets its own report; one failing input (too large, unreadable, refused) hides nothing.
 * The import is journaled (DatasetStore.imports) so a restart that cuts it short is told afterwards.
 */
import type { CommandContext } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { openAttachment } from '../chat/attachments.js';
import { formatReport, ingest, ingestText, type IngestReport } from './ingest/index.js';
import { InvalidRecordError } from '../datasets/records.js';
import type { DatasetStore } from '../datasets/store.js';
import type { ChatRecord, DatasetKind } from '../datasets/types.js';
import type { AttachmentRef } from '../chat/types.js';

const INLINE = 'inline text';

interface Input {
  label: string;
  read(onRecords: (batch: ChatRecord[]) => Promise<void>, prepare: (r: ChatRecord) => ChatRecord): Promise<IngestReport>;
}

function inputs(text: string, attachments: readonly AttachmentRef[]): Input[] {
  const list: Input[] = [];
  if (text.trim()) list.push({ label: INLINE, read: (onRecords, prepare) => ingestText(text, { onRecords, prepare }) });
  for (const a of attachments) {
    list.push({
      label: a.name,
      read: async (onRecords, prepare) => ingest(await openAttachment(a), { name: a.name, size: a.size, onRecords, prepare }),
    });
  }
  return list;
}

interface Outcome {
  text: string;
  added: number;
  committed: boolean;
  /** Refused because Eos is shutting down: the user must hear about it, after the restart if need be. */
  interrupted?: boolean;
}

/** Reads one input whole, then writes its records in one commit; never throws a UserError. */
async function importOne(ctx: CommandContext, store: DatasetStore, input: Input, kind: DatasetKind, dataset: string): Promise<Outcome> {
  const records: ChatRecord[] = [];
  const prepare = (r: ChatRecord) => store.prepare({ kind, record: r }).record as ChatRecord;
  let report: IngestReport;
  try {
    report = await input.read(async (batch) => void records.push(...batch), prepare);
  } catch (err) {
    if (err instanceof UserError) return { text: err.message, added: 0, committed: false };
    throw err;
  }
  ctx.log.info(
    { input: input.label, bytes: report.bytes, ms: report.ms, accepted: report.accepted, rejected: report.rejected },
    'ingested',
  );
  if (report.aborted || records.length === 0)
    return { text: formatReport({ ...report, accepted: 0 }, kind, dataset), added: 0, committed: false };
  try {
    // Indexed (keyed hashes only) before they are written, so `!forget me` always finds what this user imported.
    await ctx.services.privacy?.noteRecords(ctx.guildId, ctx.user.id, records);
    const result = await store.commit(
      records.map((record) => ({ kind, record })),
      'train',
      { dataset },
    );
    const added = result.written[kind];
    return { text: formatReport({ ...report, accepted: added }, kind, dataset, result.duplicates), added, committed: true };
  } catch (err) {
    if (err instanceof InvalidRecordError) return { text: `Nothing added to **${dataset}**: ${err.detail}.`, added: 0, committed: false };
    if (err instanceof UserError)
      return {
        text: `Nothing added to **${dataset}**: ${err.message}`,
        added: 0,
        committed: false,
        interrupted: err.identifier === 'ShuttingDown',
      };
    ctx.log.error({ err, input: input.label }, 'import failed; nothing of it was kept');
    return {
      text: `Nothing added to **${dataset}**: the import failed and was rolled back. Please try again.`,
      added: 0,
      committed: false,
    };
  }
}

/** `!train [positive|negative] [text]` with text and/or attachments: ingest into the active dataset. */
export async function trainFromInput(ctx: CommandContext, kind: DatasetKind, text: string): Promise<void> {
  const store = ctx.services.datasets;
  const list = inputs(text, ctx.attachments);
  if (list.length === 0) {
    throw new UserError(
      'NothingToTrain',
      `Give examples after \`${ctx.prefix}train ${kind}\` (\`User:\`/\`Assistant:\` lines) or attach a JSONL, JSON, CSV or text file.`,
    );
  }
  const dataset = (await store.ensure(store.activeName())).name;
  const ticket = await store.imports.start({
    channelId: ctx.channelId,
    replyTo: ctx.message?.id,
    dataset,
    kind,
    inputs: list.map((i) => i.label),
  });
  const several = list.length > 1;
  const texts: string[] = [];
  let changed = false;
  for (const input of list) {
    const outcome = await importOne(ctx, store, input, kind, dataset);
    if (outcome.committed) await store.imports.committed(ticket, input.label, outcome.added);
    changed ||= outcome.committed || outcome.interrupted === true;
    texts.push(several ? `\`${input.label.replace(/`/g, "'").slice(0, 80)}\`: ${outcome.text}` : outcome.text);
  }
  // Nothing written: nothing to tell after a restart. Something written: the ticket stays until the user has the report.
  if (!changed) await store.imports.done(ticket);
  for (const t of texts) await ctx.reply(t.slice(0, 2000));
  if (changed) await store.imports.done(ticket);
}
