export { FineTuneService, type FineTuneServiceOptions, type FollowOptions, type StartOptions } from './service.js';
export { buildTrainingFile, isTrainingRecord, type BuildTrainingFileOptions, type TrainingFile } from './training-file.js';
export { TERMINAL_STATUSES, isTerminal, type FineTuneMethod, type JobEvent, type JobStatus, type JobView } from './types.js';
export { formatJob, stepOf, toJobEvent, toJobView } from './view.js';
export { isRetryable, toFineTuneError } from './errors.js';
