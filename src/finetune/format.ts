/** The progress line of a job, for chat and the CLI. */
import type { JobView } from './types.js';

/** One-line progress message for chat, e.g. "Fine-tune `ftjob-1` (gpt-4o-mini): step 2/3". */
export function formatJob(job: JobView): string {
  const head = `Fine-tune \`${job.id}\` (${job.model})`;
  if (job.status === 'succeeded') {
    const tokens = job.trainedTokens !== null ? `, ${job.trainedTokens} tokens trained` : '';
    return `${head} succeeded: \`${job.fineTunedModel ?? '(no model name)'}\`${tokens}.`;
  }
  if (job.status === 'failed') return `${head} failed: ${job.error ?? 'no reason given'}.`;
  if (job.status === 'cancelled') return `${head} was cancelled.`;
  return `${head}: ${job.progress}…`;
}
