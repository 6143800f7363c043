/**
 * What the fake Together AI server checks and answers, taken from Together's published API reference:
 * github.com/togethercomputer/openapi, openapi.yaml (commit 090263aa, 2026-04-28), found with the `search` tool
 * (docs corpus: docs.together.ai fine-tuning pages; code corpus: the generated clients of that spec).
 *   POST /files/upload  multipart: purpose (FilePurpose), file_name, file_type (csv|jsonl|parquet), file → FileResponse
 *   POST /fine-tunes    JSON: training_file, model required; validation_file, n_epochs, n_evals, suffix,
 *                       training_method (TrainingMethodSFT {method: 'sft', train_on_inputs} | TrainingMethodDPO {method: 'dpo'})
 *                       → FinetuneResponseTruncated
 *   GET  /fine-tunes/{id}          → FinetuneResponse (status: FinetuneJobStatus, events, model_output_name, token_count)
 *   POST /fine-tunes/{id}/cancel   → FinetuneResponseTruncated
 *   GET  /fine-tunes/{id}/events   → FinetuneListEvents {data: FineTuneEvent[]}
 *   GET  /fine-tunes/{id}/metrics  → {metrics: [{"train/loss", "train/global_step", ...}]}
 *   errors: ErrorData {error: {message, type, param?, code?}}; auth: `Authorization: Bearer <key>`.
 */
export const FILE_PURPOSES = ['fine-tune', 'eval', 'eval-sample', 'eval-output', 'eval-summary', 'batch-generated', 'batch-api'];
export const FILE_TYPES = ['csv', 'jsonl', 'parquet'];
export const JOB_STATUSES = [
  'pending',
  'queued',
  'running',
  'compressing',
  'uploading',
  'cancel_requested',
  'cancelled',
  'error',
  'completed',
];
export const EVENT_TYPES = [
  'job_pending',
  'job_start',
  'job_stopped',
  'model_downloading',
  'model_download_complete',
  'training_data_downloading',
  'training_data_download_complete',
  'validation_data_downloading',
  'validation_data_download_complete',
  'wandb_init',
  'training_start',
  'checkpoint_save',
  'billing_limit',
  'epoch_complete',
  'training_complete',
  'model_compressing',
  'model_compression_complete',
  'model_uploading',
  'model_upload_complete',
  'job_complete',
  'job_error',
  'cancel_requested',
  'job_restarted',
  'refund',
  'warning',
];
/** Required properties per schema. */
export const REQUIRED = {
  FileResponse: ['id', 'object', 'created_at', 'filename', 'bytes', 'purpose', 'FileType', 'Processed'],
  FinetuneResponseTruncated: ['id', 'status', 'created_at', 'updated_at'],
  FinetuneResponse: ['id', 'status'],
  FineTuneEvent: [
    'object',
    'created_at',
    'message',
    'type',
    'param_count',
    'token_count',
    'total_steps',
    'wandb_url',
    'step',
    'checkpoint_path',
    'model_path',
    'training_offset',
    'hash',
  ],
  ErrorData: ['error'],
} as const;

/** Missing required properties of `value` for `schema` (the fake checks its own answers with this). */
export function missing(schema: keyof typeof REQUIRED, value: Record<string, unknown>): string[] {
  return REQUIRED[schema].filter((k) => !(k in value));
}
