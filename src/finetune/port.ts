/**
 * The fine-tuning port: what Eos needs from any fine-tuning backend (a hosted API or a local trainer).
 * Adapters live in their own folders (openai/, together/, local/) and every one runs tests/finetune/conformance.ts.
 * Every failure an adapter throws is a FineTuneError (see errors.ts), which says whether a retry can help.
 */
import type { ExportFormat } from '../datasets/export-formats.js';
import type { FineTuneMethod, JobEvent, JobView } from './types.js';

export type BackendKind = 'openai' | 'together' | 'local';

/** What the dataset report and the confirmation step need to know about a backend. */
export interface BackendInfo {
  kind: BackendKind;
  /** Human name, e.g. "OpenAI-compatible (https://api.openai.com/v1)". */
  label: string;
  /** True when starting a job costs money: Eos then asks for confirmation first. */
  paid: boolean;
  /** The smallest training set the backend accepts. */
  minExamples: number;
  /** Longest example (tokens) the backend trains on; longer ones are reported. */
  contextTokens: number;
  /** Files the backend reads: 'openai' chat/preference JSONL (OpenAI, Together), or an open format (local). */
  fileFormat: ExportFormat;
  /** After success, switch the chat model to the result without asking (local trainers serving by name). */
  switchOnSuccess: boolean;
}

export interface CreateJobRequest {
  method: FineTuneMethod;
  baseModel: string;
  /** Training file (JSONL) in `info.fileFormat`. */
  trainingFile: string;
  /** Validation file, same format; null when nothing was held out. */
  validationFile: string | null;
  epochs: number;
  /** Letters, digits, - and _; part of the resulting model name where the backend supports it. */
  suffix?: string;
}

/** One logged training step. */
export interface MetricPoint {
  step: number;
  trainLoss: number | null;
  validLoss: number | null;
}

export interface FineTuneBackend {
  readonly info: BackendInfo;
  create(req: CreateJobRequest): Promise<JobView>;
  status(jobId: string): Promise<JobView>;
  cancel(jobId: string): Promise<JobView>;
  /** The latest `limit` events, newest first. */
  events(jobId: string, limit?: number): Promise<JobEvent[]>;
  /** Loss per step logged so far, oldest first (empty when the backend logged none yet). */
  metrics(jobId: string): Promise<MetricPoint[]>;
  /** Releases timers/processes (local trainer); optional. */
  close?(): Promise<void>;
}
