import type { FineTuningJob } from 'openai/resources/fine-tuning/jobs/jobs';
import { expect, test } from 'vitest';
import { formatJob, stepOf, toJobView } from '../../src/finetune/index.js';

function job(over: Partial<FineTuningJob>): FineTuningJob {
  return {
    id: 'ftjob-1',
    object: 'fine_tuning.job',
    created_at: 1,
    error: null,
    fine_tuned_model: null,
    finished_at: null,
    hyperparameters: {},
    model: 'base',
    organization_id: 'org',
    result_files: [],
    seed: 1,
    status: 'running',
    trained_tokens: null,
    training_file: 'file-1',
    validation_file: null,
    ...over,
  };
}

test('stepOf reads data.step/total_steps, else "Step n/m" in the message', () => {
  expect(stepOf({ data: { step: 4, total_steps: 10 }, message: 'x' })).toEqual({ step: 4, totalSteps: 10 });
  expect(stepOf({ data: {}, message: 'Step 40/100: training loss=0.1' })).toEqual({ step: 40, totalSteps: 100 });
  expect(stepOf({ data: null, message: 'Fine-tuning job started' })).toBeNull();
});

test('progress is the latest step while running, the status otherwise', () => {
  const step = (n: number) => ({
    id: `e${n}`,
    createdAt: new Date(0),
    level: 'info' as const,
    message: '',
    step: { step: n, totalSteps: 9 },
  });
  expect(toJobView(job({}), [step(3), step(2)]).progress).toBe('step 3/9');
  expect(toJobView(job({}), []).progress).toBe('running');
  expect(toJobView(job({ status: 'validating_files' }), [step(1)]).progress).toBe('validating files');
  expect(toJobView(job({ status: 'paused' as FineTuningJob['status'] }), []).progress).toBe('paused');
});

test('formatJob names the job, model and outcome', () => {
  expect(formatJob(toJobView(job({ status: 'queued' }), []))).toBe('Fine-tune `ftjob-1` (base): queued…');
  const failed = toJobView(job({ status: 'failed', error: { code: 'x', message: 'bad data', param: null } }), []);
  expect(formatJob(failed)).toBe('Fine-tune `ftjob-1` (base) failed: bad data.');
  const done = toJobView(job({ status: 'succeeded', fine_tuned_model: 'ft:base:eos::1', trained_tokens: 77 }), []);
  expect(formatJob(done)).toBe('Fine-tune `ftjob-1` (base) succeeded: `ft:base:eos::1`, 77 tokens trained.');
});
