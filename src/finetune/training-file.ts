/**
 * Builds the JSONL file uploaded for fine-tuning from a dataset folder: positive.jsonl for SFT (chat format),
 * preference.jsonl for DPO. Streams line by line; lines that are not valid records (e.g. a torn last line) are
 * skipped and counted.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { UserError } from '../core/errors.js';
import type { FineTuneMethod } from './types.js';

export interface BuildTrainingFileOptions {
  datasetDir: string;
  method: FineTuneMethod;
  /** Where the file is written. Default: <os tmpdir>/eos-finetune. */
  outDir?: string;
}

export interface TrainingFile {
  path: string;
  records: number;
  /** Lines left out because they were not valid records. */
  skipped: number;
}

const ROLES = new Set(['system', 'user', 'assistant']);

function isMessage(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m['role'] === 'string' && ROLES.has(m['role']) && typeof m['content'] === 'string';
}

function isMessages(value: unknown): value is { role: string }[] {
  return Array.isArray(value) && value.length > 0 && value.every(isMessage);
}

/** True when `record` is usable training data for `method`. */
export function isTrainingRecord(record: unknown, method: FineTuneMethod): boolean {
  if (typeof record !== 'object' || record === null) return false;
  const r = record as Record<string, unknown>;
  if (method === 'sft') return isMessages(r['messages']) && r['messages'].some((m) => m.role === 'assistant');
  const input = r['input'] as Record<string, unknown> | undefined;
  const outputs = [r['preferred_output'], r['non_preferred_output']];
  return (
    typeof input === 'object' && input !== null && isMessages(input['messages']) &&
    outputs.every((o) => isMessages(o) && o.every((m) => m.role === 'assistant'))
  );
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export async function buildTrainingFile(opts: BuildTrainingFileOptions): Promise<TrainingFile> {
  const source = path.join(opts.datasetDir, opts.method === 'sft' ? 'positive.jsonl' : 'preference.jsonl');
  const outDir = opts.outDir ?? path.join(tmpdir(), 'eos-finetune');
  await mkdir(outDir, { recursive: true });
  const name = `${path.basename(opts.datasetDir)}-${opts.method}-${Date.now()}-${randomBytes(3).toString('hex')}.jsonl`;
  const target = path.join(outDir, name);
  const counts = await copyRecords(source, target, opts.method).catch(async (err: unknown) => {
    await rm(target, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: 0, skipped: 0 };
    throw err;
  });
  if (counts.records === 0) {
    await rm(target, { force: true });
    const file = path.basename(source);
    throw new UserError('EmptyDataset', `There is nothing to train on: ${file} of this dataset has no usable records.`);
  }
  return { path: target, ...counts };
}

async function copyRecords(source: string, target: string, method: FineTuneMethod) {
  const input = createReadStream(source, { encoding: 'utf8' });
  const output = createWriteStream(target, { flags: 'wx' });
  const failed = once(output, 'error').then(([err]) => {
    throw err;
  });
  failed.catch(() => undefined);
  let records = 0;
  let skipped = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      const record = parse(line);
      if (!isTrainingRecord(record, method)) {
        skipped++;
        continue;
      }
      records++;
      if (!output.write(`${JSON.stringify(record)}\n`)) await Promise.race([once(output, 'drain'), failed]);
    }
    output.end();
    await Promise.race([once(output, 'finish'), failed]);
  } finally {
    input.destroy();
    if (!output.writableFinished) output.destroy();
  }
  return { records, skipped };
}
