/** Composition root of fine-tuning: the backend chosen by training.backend, the service, the follower. */
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { ChatSurface } from './chat/types.js';
import type { StateStore } from './state/store.js';
import { FineTuneService, type FineTuneBackend } from './finetune/index.js';
import { LazyFineTuneBackend } from './finetune/lazy.js';
import { openAiBackendInfo } from './finetune/openai/info.js';
import { TogetherFineTuneBackend } from './finetune/together/backend.js';
import { LocalTrainerBackend } from './finetune/local/backend.js';
import { FineTuneFollower } from './training/finetune-follower.js';
import { PendingFineTunes } from './training/finetune-confirm.js';
import { tenantState } from './tenancy/state-view.js';

/** The configured backend, or null when it lacks an endpoint or key (commands then say what to set). */
export function createFineTuneBackend(config: AppConfig, log: Logger): FineTuneBackend | null {
  const t = config.bot.training;
  switch (t.backend) {
    case 'openai': {
      const baseURL = t.openai.baseURL || config.llm?.baseURL;
      if (!baseURL) return null;
      const opts = {
        apiKey: config.finetune.apiKey ?? undefined,
        baseURL,
        apiVersion: t.openai.apiVersion || undefined,
        authHeader: t.openai.authHeader,
        ...(t.contextTokens ? { contextTokens: t.contextTokens } : {}),
      };
      // The openai SDK loads with the first job request, not at start.
      return new LazyFineTuneBackend(openAiBackendInfo(opts), () =>
        import('./finetune/openai/backend.js').then((m) => new m.OpenAiFineTuneBackend(opts)),
      );
    }
    case 'together':
      if (!config.finetune.togetherApiKey) return null;
      return new TogetherFineTuneBackend({ apiKey: config.finetune.togetherApiKey, baseURL: t.together.baseURL });
    case 'local':
      return new LocalTrainerBackend({
        command: t.local.command,
        workDir: path.join(config.dataDir, 'finetune', 'local'),
        servedModel: t.local.servedModel,
        format: t.local.format,
        switchOnSuccess: t.local.switchOnSuccess,
        log: log.child({ component: 'local-trainer' }),
      });
  }
}

export function createFineTuneService(config: AppConfig, log: Logger): FineTuneService | null {
  const backend = createFineTuneBackend(config, log);
  if (!backend) return null;
  const t = config.bot.training;
  return new FineTuneService({
    backend,
    baseModel: t.baseModel,
    epochs: t.epochs,
    validationSplit: t.validationSplit,
    pricePerMillionTokens: t.pricePerMillionTokens,
    minExamples: null,
    contextTokens: t.contextTokens,
    workDir: path.join(config.dataDir, 'finetune', 'files'),
  });
}

/** Whether the chat endpoint lists `model` (GET /models): checked before switching to a locally trained model. */
function modelServedBy(config: AppConfig): ((model: string) => Promise<boolean>) | undefined {
  const llm = config.llm;
  if (!llm) return undefined;
  return async (model) => {
    const { createOpenAiClient } = await import('./llm/openai-client.js');
    const client = createOpenAiClient({ apiKey: llm.apiKey ?? 'not-needed', baseURL: llm.baseURL, timeoutMs: 15_000, maxRetries: 1 });
    for await (const m of client.models.list()) if (m.id === model) return true;
    return false;
  };
}

export function buildFineTuning(config: AppConfig, surface: ChatSurface, state: StateStore, log: Logger) {
  const fineTune = createFineTuneService(config, log.child({ component: 'finetune' }));
  if (!fineTune) return { fineTune: null, follower: null };
  const follower = new FineTuneFollower({
    service: fineTune,
    surface,
    state,
    intervalMs: config.bot.training.followIntervalSec * 1000,
    log: log.child({ component: 'finetune' }),
    configuredModel: config.llm?.model ?? 'memory',
    modelServed: modelServedBy(config),
    pending: new PendingFineTunes(fineTune),
    // Delegated fine-tuning: each server's job, chat model and models live in its own settings (guilds.<id>).
    ...(config.bot.training.fineTuneByServerAdmins
      ? { scopeState: (guildId: string) => tenantState(state, guildId, { ownModel: true }) }
      : {}),
  });
  return { fineTune, follower };
}
