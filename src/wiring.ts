import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { ChatSurface } from './chat/types.js';
import type { ChatModel } from './llm/port.js';
import type { StateStore } from './state/store.js';
import { DatasetStore } from './datasets/store.js';
import { activeDatasetFromState } from './datasets/active.js';
import { CandidateRouter } from './datasets/candidate-router.js';
import { TenantContext } from './tenancy/context.js';
import { guildDataFiles, WHOLE_BOT, type DataScope } from './tenancy/layout.js';
import { ConversationLog } from './datasets/conversation-log.js';
import { JsonlExampleMemory, type ExampleMemory } from './memory/examples.js';
import { lazyChatModel, lazyEmbedder } from './llm/lazy.js';
import { openAiModelDescription } from './llm/safe-url.js';
import type { Embedder } from './llm/embeddings.js';
import { createMemoryChatModel } from './llm/memory.js';
import { retiredModelWarnings } from './llm/retired.js';
import { FeedbackService } from './training/feedback.js';
import { ResultStore } from './evaluation/index.js';

/**
 * The training-data side of Eos: datasets, capture, feedback, memory, evaluations. Built once by startEos.
 * `scope`: what this process writes. The owners' tenant (top-level datasets, embeddings cache) is repaired and
 * indexed only where DMs are owned (shard 0); candidates go to their server's journal (CandidateRouter), followed
 * through `context` (the event's server).
 */
export async function buildTrainingServices(config: AppConfig, state: StateStore, log: Logger, scope: DataScope = WHOLE_BOT) {
  for (const w of retiredModelWarnings(config))
    log.warn({ setting: w.key, model: w.model, shutdown: w.shutdown, replacement: w.replacement }, `retired model: ${w.message}`);
  const names = { privacy: config.bot.training.redact };
  const datasets = new DatasetStore({
    root: config.paths.datasets,
    active: activeDatasetFromState(state),
    log: log.child({ component: 'datasets' }),
    names,
  });
  const repairs = scope.ownsDms ? await datasets.init() : [];
  for (const r of repairs) log.warn({ ...r }, 'repaired a torn line at the end of a dataset file');
  const context = new TenantContext();
  const candidates = new CandidateRouter({
    dmFile: path.join(path.dirname(config.paths.state), 'candidates.jsonl'),
    guildFile: (g) => guildDataFiles(config.dataDir, g).candidates,
    guildsDir: path.join(config.dataDir, 'guilds'),
    ownsDms: scope.ownsDms,
    ownsGuild: (g) => scope.ownsGuild(g),
    guildOf: () => context.current(),
    log,
    names,
  });
  await candidates.load();
  const feedback = new FeedbackService(datasets, candidates, log.child({ component: 'feedback' }));
  const transcript = new ConversationLog({ root: config.paths.conversations, log, names });
  const embedder = buildEmbedder(config);
  const memory = new JsonlExampleMemory(config.paths.datasets, () => datasets.activeName(), {
    embedder,
    cacheDir: path.join(config.dataDir, 'cache', 'embeddings'),
    log: log.child({ component: 'memory' }),
  });
  // Called by startEos once connected: indexing a large dataset (about 1 s of CPU at 100k examples) would otherwise
  // compete with the login. A search before then builds the index itself.
  const warm = () => {
    if (scope.ownsDms) void memory.warm().catch((err: unknown) => log.warn({ err }, 'building the example index failed'));
  };
  const evaluations = new ResultStore({ dir: path.join(config.dataDir, 'evaluations') });
  return { datasets, candidates, feedback, transcript, memory: memory as ExampleMemory, embedder, evaluations, repairs, context, warm };
}

/**
 * The endpoint's embeddings (few-shot retrieval, `similar` checks); null without an endpoint or with `embeddingsModel: "off"`.
 * The openai SDK is imported on the first embedding (src/llm/lazy.ts), not at start.
 */
export function buildEmbedder(config: AppConfig): Embedder | null {
  const model = config.bot.training.embeddingsModel;
  const llm = config.llm;
  if (!llm || model === 'off') return null;
  const maxBatch = 256;
  return lazyEmbedder({ model, maxBatch }, async () => {
    const [{ createOpenAiClient }, { createOpenAiEmbedder }] = await Promise.all([
      import('./llm/openai-client.js'),
      import('./llm/openai-embeddings.js'),
    ]);
    const client = createOpenAiClient({
      apiKey: llm.apiKey ?? 'not-needed',
      baseURL: llm.baseURL,
      timeoutMs: llm.timeoutMs,
      maxRetries: 1,
    });
    return createOpenAiEmbedder({ client, model, maxBatch });
  });
}

/** The chat model: the training memory without an endpoint, else the endpoint's model, built on the first reply. */
export function chooseModel(config: AppConfig, memory: ExampleMemory): ChatModel {
  const llm = config.llm;
  if (!llm) return createMemoryChatModel(memory);
  return lazyChatModel(openAiModelDescription(llm.model, llm.baseURL), () =>
    import('./llm/openai.js').then((m) =>
      m.createOpenAiChatModel({ apiKey: llm.apiKey ?? 'not-needed', baseURL: llm.baseURL, model: llm.model, timeoutMs: llm.timeoutMs }),
    ),
  );
}

export { buildFineTuning } from './wiring-finetune.js';
