import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from './config.js';
import type { ChatSurface } from './chat/types.js';
import { createLogger, closeLogger } from './log.js';
import { createStateStore, type StateStore } from './state/store.js';
import type { ShardHooks } from './shard/runtime.js';
import { ownsGuild } from './shard/ownership.js';
import { buildOwnerOps } from './shard/owner-wiring.js';
import { claimRunFile } from './shard/run-file.js';
import { createCommandIndex } from './commands/index.js';
import { AccessPolicy } from './core/access.js';
import { InstructionLibrary } from './core/instructions.js';
import { Router } from './core/router.js';
import { buildFineTuning, buildTrainingServices, chooseModel } from './wiring.js';
import { attachFeedbackHandlers } from './discord/feedback.js';
import { attachFineTuneButtons } from './discord/finetune-buttons.js';
import { offerSuiteComparison } from './evaluation/index.js';
import { afterReplyHook, buildSpeech, buildVoiceManager } from './wiring-voice.js';
import { VoiceMessageListener } from './voice/voice-messages.js';
import type { VoiceManager } from './voice/discord/manager.js';
import { applyDecision, ChannelHistories } from './conversation/history.js';
import { BoundedQueue } from './conversation/queue.js';
import { Responder, type ReplyCapture } from './conversation/responder.js';
import { ConversationService } from './conversation/service.js';
import { createDiscordClient } from './discord/client.js';
import { DiscordSurface } from './discord/surface.js';
import { startDiscordBot } from './discord/bot.js';
import { ConsoleSurface } from './console/surface.js';
import { AdmissionGate } from './core/gate.js';
import { UserRateLimiter } from './conversation/rate-limit.js';
import { buildPrivacy, noteVoiceMessages } from './privacy/wiring.js';
import { buildTenants } from './tenancy/wiring.js';
import { delegate } from './tenancy/context.js';
import { migrateSingleServer } from './tenancy/migrate.js';
import { WHOLE_BOT, type DataScope } from './tenancy/layout.js';
import { CONSOLE_USER_ID, runConsole } from './console/run.js';
import { notifyInterruptedImports } from './training/import-notice.js';

export interface EosOptions {
  config: AppConfig;
  /** Console mode input/output (default: process stdin/stdout). */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Where console logs go (default stderr). */
  logDestination?: NodeJS.WritableStream;
  random?: () => number;
  /** Sharded start (src/shard/child.ts): this shard's state store, status answers and cross-shard control. */
  shard?: ShardHooks;
}

export interface EosApp {
  mode: 'discord' | 'console';
  log: Logger;
  state: StateStore;
  /** Discord: resolves once connected. Console: resolves at once. */
  ready: Promise<void>;
  /** Console: resolves at end of input. Discord: never resolves by itself. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** The composition root: builds every service from the config and starts Discord or the console. */
export async function startEos(opts: EosOptions): Promise<EosApp> {
  const { config } = opts;
  const log = createLogger({
    level: config.logLevel,
    logDir: config.paths.logs,
    secrets: config.secrets(),
    destination: opts.logDestination,
  });
  await Promise.all(Object.values(config.paths).map((p) => mkdir(p.endsWith('.json') ? path.dirname(p) : p, { recursive: true })));
  // One process on this data folder (not a shard: the manager's status file says that): the CLI refuses writes meanwhile.
  const releaseRunFile = opts.shard
    ? async () => undefined
    : await claimRunFile(config.dataDir, config.discord.token ? 'discord' : 'console');
  const state = opts.shard
    ? await opts.shard.createState(log.child({ component: 'state' }))
    : await createStateStore(config.paths.state, { logger: log.child({ component: 'state' }) });
  const perServer = config.bot.perServerData;
  // What this process writes (one writer per file): sharded, the servers of its shard; shard 0 also DMs, the console's
  // and owners' top-level tenant. Without per-server data every server would write the top-level datasets.
  const shardMe = opts.shard?.me;
  const scope: DataScope = shardMe ? { ownsDms: shardMe.id === 0, ownsGuild: (g) => ownsGuild(shardMe, g) } : WHOLE_BOT;
  if (shardMe && !perServer) throw new Error('sharding (EOS_SHARDS) needs per-server data (bot.perServerData: true)');
  if (perServer && config.discord.token)
    await migrateSingleServer({ dataDir: config.dataDir, paths: config.paths, state, log: log.child({ component: 'tenancy' }), scope });
  const training = await buildTrainingServices(config, state, log, scope);
  const { datasets, feedback, transcript, evaluations } = training;
  // Each server has its own datasets, feedback, few-shot memory and evaluations (src/tenancy); DMs and the console are the owners'.
  const tenants = perServer
    ? buildTenants({
        config,
        state,
        owners: { datasets, feedback, memory: training.memory, evaluations },
        candidates: training.candidates,
        embedder: training.embedder,
        onFeedback: (f) => f.onDecision((d) => applyDecision(histories, d)),
        log,
        isAdmin: (a) => access.isAdmin(a),
        whoKey: (g, u) => privacy.whoKey(g, u),
        context: training.context,
      })
    : null;
  const memory = tenants ? delegate(() => tenants.current().memory) : training.memory;
  const model = chooseModel(config, memory);
  const mode = config.discord.token ? 'discord' : 'console';
  log.info({ mode, model: model.description, dataDir: config.dataDir }, 'starting Eos');

  const client = mode === 'discord' ? createDiscordClient({ apiUrl: config.discord.apiUrl }) : null;
  const surface: ChatSurface = client ? new DiscordSurface(client) : new ConsoleSurface(opts.output ?? process.stdout, config.bot.name);
  const owners = mode === 'console' ? [...config.bot.owners, CONSOLE_USER_ID] : config.bot.owners;
  const access = new AccessPolicy({ ...config.bot, owners });
  const { privacy, audit } = await buildPrivacy({
    stateFile: config.paths.state,
    dataDir: config.dataDir,
    paths: { datasets: config.paths.datasets, conversations: config.paths.conversations },
    recordByDefault: config.bot.privacy.recordByDefault,
    consoleMode: mode === 'console',
    state,
    surface,
    transcript,
    datasets,
    candidates: training.candidates,
    scope,
    shard: opts.shard,
    log: log.child({ component: 'privacy' }),
    datasetsOf: tenants
      ? (g) => {
          const t = tenants.of(g);
          return {
            dirs: [t.paths.datasets, ...(t.paths.pending ? [t.paths.pending] : [])],
            reconcile: () => Promise.all([t.datasets.init(), t.guildId ? t.pending.init() : undefined]),
            flush: () => Promise.all([t.datasets.flush(), t.pending.flush()]),
          };
        }
      : undefined,
  });
  const limiter = new UserRateLimiter(config.bot.conversation.userRateLimit, Date.now, (id) => access.isOwner(id));
  const gate = new AdmissionGate(access, limiter, privacy);
  const commands = createCommandIndex();
  const instructions = new InstructionLibrary(path.join(config.projectRoot, 'INSTRUCTION.md'), config.paths.instructions);
  const { fineTune, follower } = buildFineTuning(config, surface, state, log);
  follower?.onSucceeded((s) =>
    offerSuiteComparison(
      { store: s.guildId && tenants ? tenants.of(s.guildId).evaluations : evaluations, surface },
      { channelId: s.channelId, newModel: s.model, oldModel: s.previousModel, prefix: config.bot.prefix },
    ).then(() => undefined),
  );
  const conv = config.bot.conversation;
  const histories = new ChannelHistories({ max: conv.historyMax, ttlMs: conv.historyTtlHours * 3_600_000 });
  const queue = new BoundedQueue({ concurrency: conv.maxConcurrent, maxQueued: conv.maxQueue });
  const capture: ReplyCapture = async (r) => {
    await feedback.capture(r);
    await transcript
      .append({ guildId: r.guildId, channelId: r.channelId, role: 'assistant', content: r.reply, timestamp: new Date().toISOString() })
      .catch((err: unknown) => log.warn({ err }, 'conversation log append failed'));
  };
  const speech = buildSpeech(config, log.child({ component: 'voice' }));
  let voice: VoiceManager | null = null;
  const responder = new Responder({
    // The server's own state view (its chat model when fine-tuning is delegated to server admins).
    config: conv,
    botName: config.bot.name,
    model,
    surface,
    state: tenants ? delegate(() => tenants.current().state) : state,
    histories,
    queue,
    memory,
    capture,
    beginCapture: (channelId) => feedback.beginCapture(channelId),
    fewShot: config.bot.training.fewShot,
    afterReply: afterReplyHook(config, speech, surface, () => voice),
    log: log.child({ component: 'responder' }),
  });
  if (client) {
    voice = buildVoiceManager({
      config,
      client,
      speech,
      responder,
      surface,
      state,
      feedback,
      transcript,
      gate,
      tenants: tenants?.context,
      log: log.child({ component: 'voice' }),
      onSpoken: (g, u, text) => privacy.noteSpoken(g, u, text),
    });
  }
  const services = {
    config,
    state,
    surface,
    access,
    commands,
    instructions,
    model,
    datasets,
    feedback,
    fineTune,
    follower,
    evaluations,
    voice,
    startedAt: new Date(),
    memory,
    embedder: training.embedder,
    shards: opts.shard?.control ?? null,
    // `!datasets servers`, `!archive servers`, the owners' job from any shard: every shard's answer (src/shard/owner-*.ts).
    ownerOps: buildOwnerOps({
      shard: opts.shard,
      dataDir: config.dataDir,
      paths: config.paths,
      datasets,
      tenants: tenants ?? undefined,
      client: () => client,
      fineTune,
      follower,
    }),
    gate,
    privacy,
    audit,
    tenants: tenants ?? undefined,
  };
  const conversation = new ConversationService({
    config: conv,
    state,
    surface,
    access,
    responder,
    histories,
    transcript,
    log: log.child({ component: 'conversation' }),
    random: opts.random,
    replies: feedback,
    prefix: (g) => (g && state.guild(g).prefix) || config.bot.prefix,
    limiter,
    admitHistory: (m) =>
      gate.visible({
        userId: m.author.id,
        roleIds: m.roleIds,
        guildAdmin: m.authorIsGuildAdmin,
        guildId: m.guildId,
        channelId: m.channelId,
        isDM: m.isDM,
      }),
  });
  const listener = new VoiceMessageListener(noteVoiceMessages(conversation, privacy), {
    stt: speech.stt,
    surface,
    access,
    log: log.child({ component: 'voice-messages' }),
  });
  const router = new Router(services, listener, log.child({ component: 'router' }));
  feedback.onDecision((d) => applyDecision(histories, d));
  const pruner = setInterval(() => histories.prune(), 10 * 60_000);
  pruner.unref();

  const shutdown = async (stopSurface: () => Promise<void>) => {
    clearInterval(pruner);
    await responder.stop().catch((err: unknown) => log.warn({ err }, 'replies in flight not closed'));
    await follower?.stop();
    await fineTune?.close().catch((err: unknown) => log.warn({ err }, 'fine-tuning backend not closed'));
    await memory.close?.().catch((err: unknown) => log.warn({ err }, 'example memory not closed'));
    await voice?.destroyAll().catch((err: unknown) => log.warn({ err }, 'voice shutdown failed'));
    await stopSurface().catch((err: unknown) => log.warn({ err }, 'stop failed'));
    await Promise.all([
      datasets.close(),
      feedback.close(),
      transcript.close(),
      privacy.close(),
      ...(tenants?.guildTenants() ?? []).map((t) => t.datasets.close()),
    ]).catch((err: unknown) => log.warn({ err }, 'flush failed'));
    await state.flush();
    await releaseRunFile().catch((err: unknown) => log.warn({ err }, 'run file not removed'));
    log.info('Eos stopped');
    await closeLogger(log);
  };

  if (client && config.discord.token) {
    const eventFeedback = tenants ? delegate(() => tenants.view(tenants.context.current(), tenants.context.actor()).feedback) : feedback;
    attachFeedbackHandlers(client, eventFeedback, gate, log.child({ component: 'feedback' }), tenants?.context);
    if (follower) attachFineTuneButtons(client, follower, surface, log.child({ component: 'finetune' }));
    const bot = startDiscordBot(
      { client, surface: surface as DiscordSurface, router, commands, config: config.bot, log: log.child({ component: 'discord' }) },
      config.discord.token,
    );
    opts.shard?.attach({
      client,
      flush: async () => {
        await datasets.flush();
        await state.flush();
      },
    });
    // Sharded: shard 0 resumes the owners' fine-tuning job; each shard resumes the jobs of the servers it owns.
    const me = opts.shard?.me;
    void bot.ready.then(
      () => follower?.resume({ owners: !me || me.id === 0, ownsGuild: (g) => !me || ownsGuild(me, g) }),
      () => undefined,
    );
    void bot.ready.then(training.warm, () => undefined); // the few-shot index is built once connected, not before
    if (scope.ownsDms)
      void bot.ready
        .then(() => notifyInterruptedImports(datasets, surface, log.child({ component: 'datasets' }), config.bot.prefix))
        .catch((err: unknown) => log.warn({ err }, 'interrupted-import notice failed'));
    return { mode, log, state, ready: bot.ready, done: new Promise(() => undefined), stop: () => shutdown(() => bot.stop()) };
  }
  training.warm();
  const done = runConsole({
    router,
    input: opts.input ?? process.stdin,
    userName: 'you',
    onError: (err) => log.error({ err }, 'console line failed'),
  }).then(() => undefined);
  return { mode, log, state, ready: Promise.resolve(), done, stop: () => shutdown(async () => undefined) };
}
