/**
 * Builds the files a fine-tuning job trains on from a dataset folder (positive.jsonl for SFT, preference.jsonl for
 * DPO), and the report shown before anything is spent. One streaming pass: every line is checked with the dataset
 * validator (src/datasets/validate.ts); exact duplicates and examples over the backend's context are left out and
 * counted; a stable share (by content hash) goes to the validation file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { isValidRecord } from '../datasets/validate.js';
import { recordToFormat, type ExportFormat } from '../datasets/export-formats.js';
import { exampleTokens } from '../training/ingest/tokens.js';
import type { FineTuneMethod } from './types.js';

export interface BuildTrainingFileOptions {
  datasetDir: string;
  method: FineTuneMethod;
  outDir: string;
  /** Share of examples held out for validation, 0..0.5. */
  validationSplit: number;
  /** Examples longer than this (tokens) are left out. */
  contextTokens: number;
  format: ExportFormat;
}

export interface TrainingFiles {
  training: string | null;
  validation: string | null;
  /** Usable examples read (before leaving out duplicates and over-long ones). */
  examples: number;
  /** Lines that are not valid records for the method (e.g. a torn last line). */
  invalid: number;
  duplicates: number;
  overContext: number;
  longestTokens: number;
  train: number;
  validationCount: number;
  /** Tokens of the training split: what one epoch trains. */
  trainingTokens: number;
  validationTokens: number;
}

/** True when `record` is usable training data for `method`. */
export function isTrainingRecord(record: unknown, method: FineTuneMethod): boolean {
  return isValidRecord(record, method === 'sft' ? 'chat' : 'preference');
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function tokensOf(record: unknown, method: FineTuneMethod): number {
  if (method === 'sft') return exampleTokens((record as { messages: Record<string, unknown>[] }).messages);
  const r = record as {
    input: { messages: Record<string, unknown>[] };
    preferred_output: Record<string, unknown>[];
    non_preferred_output: Record<string, unknown>[];
  };
  return exampleTokens([...r.input.messages, ...r.preferred_output]) + exampleTokens(r.non_preferred_output);
}

async function write(out: WriteStream, line: string): Promise<void> {
  if (!out.write(line)) await once(out, 'drain');
}

async function finish(out: WriteStream): Promise<void> {
  out.end();
  await once(out, 'finish');
}

export async function buildTrainingFiles(opts: BuildTrainingFileOptions): Promise<TrainingFiles> {
  const file = opts.method === 'sft' ? 'positive' : 'preference';
  const source = path.join(opts.datasetDir, `${file}.jsonl`);
  await mkdir(opts.outDir, { recursive: true });
  const stem = `${path.basename(opts.datasetDir)}-${opts.method}-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const paths = { train: path.join(opts.outDir, `${stem}.train.jsonl`), valid: path.join(opts.outDir, `${stem}.validation.jsonl`) };
  const outs = { train: createWriteStream(paths.train, { flags: 'wx' }), valid: createWriteStream(paths.valid, { flags: 'wx' }) };
  const r: TrainingFiles = {
    training: null,
    validation: null,
    examples: 0,
    invalid: 0,
    duplicates: 0,
    overContext: 0,
    longestTokens: 0,
    train: 0,
    validationCount: 0,
    trainingTokens: 0,
    validationTokens: 0,
  };
  const seen = new Set<string>();
  const threshold = Math.round(Math.min(0.5, Math.max(0, opts.validationSplit)) * 0x1_0000);
  try {
    const input = createReadStream(source, { encoding: 'utf8' });
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        if (line.trim() === '') continue;
        const record = parse(line);
        if (!isTrainingRecord(record, opts.method)) {
          r.invalid++;
          continue;
        }
        r.examples++;
        const key = JSON.stringify(record);
        const hash = createHash('sha256').update(key).digest();
        const id = hash.toString('base64');
        if (seen.has(id)) {
          r.duplicates++;
          continue;
        }
        seen.add(id);
        const tokens = tokensOf(record, opts.method);
        r.longestTokens = Math.max(r.longestTokens, tokens);
        if (tokens > opts.contextTokens) {
          r.overContext++;
          continue;
        }
        const toValidation = hash.readUInt16BE(0) < threshold;
        const text = `${JSON.stringify(recordToFormat(record, file, opts.format))}\n`;
        if (toValidation) {
          r.validationCount++;
          r.validationTokens += tokens;
          await write(outs.valid, text);
        } else {
          r.train++;
          r.trainingTokens += tokens;
          await write(outs.train, text);
        }
      }
    } finally {
      input.destroy();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      outs.train.destroy();
      outs.valid.destroy();
      await Promise.all([rm(paths.train, { force: true }), rm(paths.valid, { force: true })]);
      throw err;
    }
  }
  await Promise.all([finish(outs.train), finish(outs.valid)]);
  // A validation split needs training examples too: with too few, everything trains.
  if (r.train === 0 && r.validationCount > 0) return mergeIntoTraining(r, paths);
  if (r.train > 0) r.training = paths.train;
  else await rm(paths.train, { force: true });
  if (r.validationCount > 0) r.validation = paths.valid;
  else await rm(paths.valid, { force: true });
  return r;
}

async function mergeIntoTraining(r: TrainingFiles, paths: { train: string; valid: string }): Promise<TrainingFiles> {
  await rm(paths.train, { force: true });
  await rename(paths.valid, paths.train);
  const trainingTokens = r.trainingTokens + r.validationTokens;
  return {
    ...r,
    training: paths.train,
    validation: null,
    train: r.validationCount,
    validationCount: 0,
    trainingTokens,
    validationTokens: 0,
  };
}
