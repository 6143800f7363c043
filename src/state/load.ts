/**
 * Loading the state file with recovery: a file that is not valid JSON or does not fit the schema is moved
 * aside to `<file>.corrupt-<timestamp>`, then the newest parseable backup is used, else empty state.
 * Never throws for bad content.
 */
import { readFile, rename } from 'node:fs/promises';
import { backupPath } from './backup.js';
import { emptyState, parseState, type StateData } from './schema.js';

export interface StateLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: StateLogger = { warn: () => undefined, error: () => undefined };

export interface LoadedState {
  data: StateData;
  /** 'file' | 'new' (no file yet) | 'backup' (recovered) | 'empty' (corrupt, no usable backup). */
  source: 'file' | 'new' | 'backup' | 'empty';
  /** Where the corrupt file was moved, if it was. */
  corruptPath?: string;
  /** The backup the data came from, if any. */
  backup?: string;
}

type ReadResult = { kind: 'missing' } | { kind: 'bad'; reason: string } | { kind: 'ok'; data: StateData };

async function readState(file: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'bad', reason: (err as Error).message };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { kind: 'bad', reason: `invalid JSON: ${(err as Error).message}` };
  }
  const data = parseState(raw);
  return data ? { kind: 'ok', data } : { kind: 'bad', reason: 'does not match the state schema' };
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

async function moveAside(file: string, log: StateLogger): Promise<string | undefined> {
  const target = `${file}.corrupt-${stamp(new Date())}`;
  try {
    await rename(file, target);
    return target;
  } catch (err) {
    log.error({ err, file }, 'could not move the corrupt state file aside');
    return undefined;
  }
}

async function fromBackups(file: string, count: number): Promise<{ data: StateData; backup: string } | null> {
  for (let i = 1; i <= count; i++) {
    const candidate = backupPath(file, i);
    const result = await readState(candidate);
    if (result.kind === 'ok') return { data: result.data, backup: candidate };
  }
  return null;
}

export async function loadState(file: string, backups: number, log: StateLogger = silentLogger): Promise<LoadedState> {
  const first = await readState(file);
  if (first.kind === 'ok') return { data: first.data, source: 'file' };
  if (first.kind === 'missing') return { data: emptyState(), source: 'new' };
  const corruptPath = await moveAside(file, log);
  const recovered = await fromBackups(file, backups);
  if (recovered) {
    log.warn({ file, reason: first.reason, corruptPath, backup: recovered.backup }, 'state file corrupt; restored from backup');
    return { data: recovered.data, source: 'backup', backup: recovered.backup, ...(corruptPath ? { corruptPath } : {}) };
  }
  log.warn({ file, reason: first.reason, corruptPath }, 'state file corrupt and no usable backup; starting empty');
  return { data: emptyState(), source: 'empty', ...(corruptPath ? { corruptPath } : {}) };
}
