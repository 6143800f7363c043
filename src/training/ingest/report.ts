/** The short Discord reply for an ingest (always under Discord's 2000-character message limit). */
import type { IngestError, IngestReport } from './types.js';

const LIMIT = 1900;
const SHOWN_ERRORS = 10;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function errorLine(e: IngestError): string {
  const where = e.line > 0 ? `line ${e.line}: ` : '';
  return `- ${where}${e.code}: ${e.message}`.replace(/[\r\n]+/g, ' ').slice(0, 180);
}

function skipped(duplicates: number): string {
  return duplicates > 0 ? ` ${plural(duplicates, 'example')} ${duplicates === 1 ? 'was' : 'were'} already stored and skipped.` : '';
}

function headline(report: IngestReport, kind: string, dataset: string, duplicates: number): string {
  const target = `**${dataset}** (${kind})`;
  if (report.tooLarge) {
    const limit = report.errors.find((e) => e.code === 'too_large')?.message ?? 'the file is too large';
    return report.accepted > 0
      ? `Stopped: ${limit}. ${plural(report.accepted, 'example')} read before the limit were added to ${target}.`
      : `Nothing added to ${target}: ${limit}.`;
  }
  if (report.accepted === 0 && report.rejected === 0 && duplicates === 0) {
    const reason = report.errors[0]?.message ?? 'no examples found';
    return `Nothing added to ${target}: ${reason}.`;
  }
  const added = report.accepted === 0 ? `Nothing added to ${target}` : `Added ${plural(report.accepted, 'example')} to ${target}`;
  return `${report.rejected > 0 ? `${added}; rejected ${report.rejected}.` : `${added}.`}${skipped(duplicates)}`;
}

function listedErrors(report: IngestReport): IngestError[] {
  if (report.tooLarge) return report.errors.filter((e) => e.code !== 'too_large');
  if (report.accepted === 0 && report.rejected === 0) return report.errors.slice(1);
  return report.errors;
}

/**
 * E.g. "Added 41 examples to **default** (positive); rejected 2. First errors:\n- line 7:
 * missing_content: message 2 has no content". At most 10 errors are listed; "…" marks more.
 */
export function formatReport(report: IngestReport, kind: 'positive' | 'negative', dataset: string, duplicates = 0): string {
  let text = headline(report, kind, dataset, duplicates);
  const errors = listedErrors(report);
  if (errors.length === 0) return text;
  text += ' First errors:';
  const shown = errors.slice(0, SHOWN_ERRORS);
  for (const error of shown) {
    const line = `\n${errorLine(error)}`;
    if (text.length + line.length > LIMIT) return `${text}\n…`;
    text += line;
  }
  return errors.length > shown.length ? `${text}\n…` : text;
}
