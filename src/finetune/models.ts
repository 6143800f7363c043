/**
 * Base models: the default per backend, retired names refused before any upload, and prices where the provider
 * publishes them. The setting to change is always named in the reply.
 */
import { FineTuneError } from './errors.js';
import type { BackendKind } from './port.js';
import type { FineTuneMethod } from './types.js';

export const BASE_MODEL_SETTING = 'training.baseModel (eos.config.json)';

/** Used when training.baseModel is empty. Local trainers have none: the operator names the model. */
export const DEFAULT_BASE_MODELS: Record<BackendKind, string | null> = {
  openai: 'gpt-4.1-mini-2025-04-14',
  together: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
  local: null,
};

/**
 * Models retired or announced for retirement (no new fine-tuning jobs). gpt-4o-mini-2024-07-18, whisper-1 and tts-1
 * are announced for retirement in early 2027; the gpt-3.5 / babbage / davinci bases are gone already.
 */
const RETIRED = new Set([
  'gpt-4o-mini-2024-07-18',
  'gpt-4o-mini',
  'whisper-1',
  'tts-1',
  'tts-1-hd',
  'gpt-3.5-turbo',
  'gpt-3.5-turbo-0613',
  'gpt-3.5-turbo-1106',
  'gpt-3.5-turbo-0125',
  'babbage-002',
  'davinci-002',
  'gpt-4-0613',
]);

export function isRetiredModel(model: string): boolean {
  return RETIRED.has(model.trim().toLowerCase());
}

/** The base model to use, or a FineTuneError naming the setting to change. */
export function resolveBaseModel(configured: string, backend: BackendKind): string {
  const model = configured.trim() || DEFAULT_BASE_MODELS[backend];
  if (!model) {
    throw new FineTuneError(
      'model',
      `The ${backend} backend has no default base model: set ${BASE_MODEL_SETTING} to the model your trainer starts from.`,
      false,
    );
  }
  if (isRetiredModel(model)) {
    throw new FineTuneError(
      'model',
      `The base model \`${model}\` is retired and takes no new fine-tuning jobs: set ${BASE_MODEL_SETTING} to a current model (e.g. \`${DEFAULT_BASE_MODELS.openai}\`).`,
      false,
    );
  }
  return model;
}

/**
 * Training prices in US dollars per 1M trained tokens for the gpt-4.1 / gpt-4o fine-tunable snapshots, as OpenAI's
 * pricing page (platform.openai.com/docs/pricing, fine-tuning) listed them when this table was written; they were
 * not re-checked online (Eos runs offline here), so the report calls the cost an estimate and
 * training.pricePerMillionTokens overrides it. Together AI prices by model size bracket, method and LoRA/full on
 * together.ai/pricing, with no per-model price in its API reference (its /fine-tunes/estimate-price needs an
 * uploaded file), so Together and local runs show no cost unless training.pricePerMillionTokens is set.
 */
const OPENAI_TRAINING_PRICES: Record<string, number> = {
  'gpt-4.1-2025-04-14': 25,
  'gpt-4.1-mini-2025-04-14': 5,
  'gpt-4.1-nano-2025-04-14': 1.5,
  'gpt-4o-2024-08-06': 25,
};

export function pricePerMillion(backend: BackendKind, model: string, _method: FineTuneMethod, configured: number | null): number | null {
  if (configured !== null) return configured;
  if (backend !== 'openai') return null;
  return OPENAI_TRAINING_PRICES[model] ?? null;
}
