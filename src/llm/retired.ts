/**
 * OpenAI models that are shut down or announced for shutdown, with the date and what Eos suggests instead.
 * Dates follow OpenAI's deprecations page as quoted by several reports found on 2026-12-06 (the page itself was not
 * reachable from here; the API's GET /models `shutdown_date` is the authority). Checked at start (a warning naming
 * the setting) and by `!train use`. Exact names only: a fine-tuned `ft:...` model is not matched.
 */
import type { AppConfig } from '../config.js';

export type ModelUse = 'chat' | 'stt' | 'tts';

export interface RetiredModel {
  model: string;
  use: ModelUse;
  /** YYYY-MM-DD: the day OpenAI stops serving it. */
  shutdown: string;
  replacement: string;
}

/** Current defaults (also the suggested replacements): all three are in OpenAI's published spec. */
export const CURRENT_MODELS: Readonly<Record<ModelUse, string>> = {
  chat: 'gpt-5.4-mini',
  stt: 'gpt-transcribe',
  tts: 'gpt-4o-mini-tts',
};

const groups: [ModelUse, string, string[]][] = [
  [
    'chat',
    '2026-10-23',
    [
      'gpt-3.5-turbo',
      'gpt-3.5-turbo-0125',
      'gpt-3.5-turbo-1106',
      'gpt-3.5-turbo-0613',
      'gpt-4',
      'gpt-4-0613',
      'gpt-4-turbo',
      'gpt-4-turbo-2024-04-09',
      'gpt-4-1106-preview',
      'gpt-4o-2024-05-13',
      'gpt-4.1-nano',
      'gpt-4.1-nano-2025-04-14',
      'o1',
      'o1-2024-12-17',
      'o3-mini',
      'o3-mini-2025-01-31',
      'o4-mini',
      'o4-mini-2025-04-16',
    ],
  ],
  ['chat', '2026-12-11', ['gpt-5', 'gpt-5-2025-08-07', 'gpt-5-mini', 'gpt-5-mini-2025-08-07', 'gpt-5-nano', 'gpt-5-nano-2025-08-07']],
  [
    'chat',
    '2027-01-14',
    [
      'gpt-4o-mini',
      'gpt-4o-mini-2024-07-18',
      'gpt-4o',
      'gpt-4o-2024-08-06',
      'gpt-4o-2024-11-20',
      'gpt-4.1',
      'gpt-4.1-2025-04-14',
      'gpt-4.1-mini',
      'gpt-4.1-mini-2025-04-14',
    ],
  ],
  ['stt', '2027-02-26', ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe']],
  ['tts', '2027-01-06', ['tts-1', 'tts-1-hd']],
];

const RETIRED = new Map<string, RetiredModel>(
  groups.flatMap(([use, shutdown, models]) =>
    models.map((model) => [model, { model, use, shutdown, replacement: CURRENT_MODELS[use] }] as const),
  ),
);

/** The retirement entry of `model` (case-insensitive, exact name), or undefined. */
export function retiredModel(model: string): RetiredModel | undefined {
  return RETIRED.get(model.trim().toLowerCase());
}

/** "shut down on 2026-10-23" or "shuts down on 2027-01-14", seen from `today` (YYYY-MM-DD). */
export function shutdownPhrase(entry: RetiredModel, today: string): string {
  return entry.shutdown <= today ? `was shut down by OpenAI on ${entry.shutdown}` : `is retired by OpenAI on ${entry.shutdown}`;
}

/** One sentence naming the model, its date, the setting to change and the replacement. */
export function retiredMessage(entry: RetiredModel, setting: string, today: string): string {
  return `\`${entry.model}\` ${shutdownPhrase(entry, today)}: set ${setting} to a current model (e.g. \`${entry.replacement}\`).`;
}

export interface ModelWarning {
  key: string;
  model: string;
  shutdown: string;
  replacement: string;
  message: string;
}

/** Warnings for configured models on the retired list (EOS_CHAT_MODEL, EOS_STT_MODEL, training.judgeModel). */
export function retiredModelWarnings(
  config: Pick<AppConfig, 'llm' | 'voice' | 'bot'>,
  today = new Date().toISOString().slice(0, 10),
): ModelWarning[] {
  const configured: [string, string | undefined][] = [
    ['EOS_CHAT_MODEL', config.llm?.model],
    ['EOS_STT_MODEL', config.voice.sttProvider === 'openai' ? config.voice.sttModel : undefined],
    ['training.judgeModel (eos.config.json)', config.llm ? config.bot.training.judgeModel : undefined],
  ];
  const out: ModelWarning[] = [];
  for (const [key, model] of configured) {
    const entry = model ? retiredModel(model) : undefined;
    if (entry)
      out.push({
        key,
        model: entry.model,
        shutdown: entry.shutdown,
        replacement: entry.replacement,
        message: retiredMessage(entry, key, today),
      });
  }
  return out;
}
