/**
 * `!train` imports in flight, journaled in `<datasets>/.imports.jsonl`, so a restart that cut one
 * short is told to the user afterwards: `start` before reading, `committed` per input written,
 * `done` once the user got the report (the file is deleted when no import is in flight). At start,
 * `interrupted()` lists tickets without `done`; `clear()` forgets them once the notice is sent. Holds channel/message IDs and file names only.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { JsonlAppender, readJsonl, repairTornTail } from './jsonl.js';

export const LEDGER_FILE = '.imports.jsonl';

export interface ImportTicket {
  id: string;
  channelId: string;
  /** The message that carried the command (the notice replies to it). */
  replyTo?: string;
  dataset: string;
  kind: string;
  inputs: string[];
  at: string;
}

export interface InterruptedImport {
  ticket: ImportTicket;
  /** Inputs whose records were written, with the number added. */
  committed: { input: string; added: number }[];
}

type Line =
  | { op: 'start'; ticket: ImportTicket }
  | { op: 'committed'; id: string; input: string; added: number }
  | { op: 'done'; id: string };

export class ImportLedger {
  private readonly file: string;
  private readonly appender: JsonlAppender;
  /** Tickets started by this process and not done yet; at 0 the journal is deleted (nothing to tell). */
  private open = 0;
  private pendingAtStart = false;

  constructor(root: string) {
    this.file = join(root, LEDGER_FILE);
    this.appender = new JsonlAppender(this.file);
  }

  async start(ticket: Omit<ImportTicket, 'id' | 'at'>): Promise<string> {
    const id = randomBytes(6).toString('hex');
    this.open += 1;
    await this.appender.append({ op: 'start', ticket: { ...ticket, id, at: new Date().toISOString() } } satisfies Line);
    return id;
  }

  async committed(id: string, input: string, added: number): Promise<void> {
    await this.appender.append({ op: 'committed', id, input, added } satisfies Line);
  }

  async done(id: string): Promise<void> {
    this.open = Math.max(0, this.open - 1);
    if (this.open === 0 && !this.pendingAtStart) await this.appender.remove();
    else await this.appender.append({ op: 'done', id } satisfies Line);
  }

  /** Imports started but never reported (a crash or shutdown came first). */
  async interrupted(): Promise<InterruptedImport[]> {
    await this.appender.flush();
    await repairTornTail(this.file);
    const open = new Map<string, InterruptedImport>();
    for await (const { value } of readJsonl(this.file)) {
      const line = value as Line | undefined;
      if (line?.op === 'start' && typeof line.ticket?.id === 'string') open.set(line.ticket.id, { ticket: line.ticket, committed: [] });
      else if (line?.op === 'committed') open.get(line.id)?.committed.push({ input: line.input, added: line.added });
      else if (line?.op === 'done') open.delete(line.id);
    }
    this.pendingAtStart = open.size > 0;
    return [...open.values()];
  }

  /** Forgets every finished or notified import (rewrites the journal without them). */
  async clear(): Promise<void> {
    this.pendingAtStart = false;
    if (this.open === 0) await this.appender.remove();
  }

  close(): Promise<void> {
    return this.appender.close();
  }
}

function inputList(names: string[]): string {
  return names.map((n) => `\`${n.replace(/`/g, "'").slice(0, 80)}\``).join(', ');
}

/** The notice posted after a restart for one interrupted import. */
export function interruptedNotice(item: InterruptedImport, prefix = '!'): string {
  const done = new Set(item.committed.map((c) => c.input));
  const added = item.committed.map((c) => `${inputList([c.input])}: ${c.added} example${c.added === 1 ? '' : 's'} added`);
  const missing = item.ticket.inputs.filter((n) => !done.has(n));
  const parts = [`Eos restarted while your \`${prefix}train\` into **${item.ticket.dataset}** was running.`];
  if (added.length) parts.push(`${added.join('; ')}.`);
  if (missing.length) {
    parts.push(`Nothing from ${inputList(missing)} was kept. Send it again: records already stored are skipped, so nothing is added twice.`);
  }
  return parts.join(' ');
}
