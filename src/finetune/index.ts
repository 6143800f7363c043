export { FineTuneService, type FineTuneServiceOptions, type FollowOptions, type PreparedJob } from './service.js';
export { buildTrainingFiles, isTrainingRecord, type BuildTrainingFileOptions, type TrainingFiles } from './training-file.js';
export { TERMINAL_STATUSES, isTerminal, type FineTuneMethod, type JobEvent, type JobStatus, type JobView } from './types.js';
export type { BackendInfo, BackendKind, CreateJobRequest, FineTuneBackend, MetricPoint } from './port.js';
export { FineTuneError, isFineTuneError, type FineTuneErrorKind } from './errors.js';
export { formatJob } from './format.js';
export { formatDatasetReport, type DatasetReport } from './report.js';
export { BASE_MODEL_SETTING, DEFAULT_BASE_MODELS, isRetiredModel, resolveBaseModel } from './models.js';
// The OpenAI-compatible adapter is imported from ./openai/backend.js (it loads the openai SDK; wiring imports it on first use).
export type { OpenAiBackendOptions } from './openai/backend.js';
export { stepOf, toJobEvent, toJobView, toMetricPoints } from './openai/view.js';
