/** What the rest of Eos sees of a fine-tuning job (independent of the SDK's wire types). */
export type FineTuneMethod = 'sft' | 'dpo';

export type JobStatus = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface JobView {
  id: string;
  status: JobStatus;
  /** Base model being tuned. */
  model: string;
  /** Set once the job succeeded. */
  fineTunedModel: string | null;
  trainedTokens: number | null;
  /** The server's error message when the job failed. */
  error: string | null;
  /** 'step 40/100' from the latest metrics event while running, otherwise a readable status. */
  progress: string;
}

export interface JobEvent {
  id: string;
  createdAt: Date;
  level: 'info' | 'warn' | 'error';
  message: string;
  /** Present on metrics events. */
  step: { step: number; totalSteps: number } | null;
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
