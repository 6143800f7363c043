import type { Logger } from 'pino';
import type { ChatSurface } from '../chat/types.js';
import type { StateStore } from '../state/store.js';
import { formatJob, isTerminal, type FineTuneService, type JobView } from '../finetune/index.js';
import type { PendingFineTunes } from './finetune-confirm.js';

/** What a succeeded-job listener gets (e.g. evaluation offering to compare the new model with the old one). */
export interface SucceededJob {
  job: JobView;
  /** The fine-tuned (or served) model. */
  model: string;
  /** The chat model in use before this job (state override, else the configured one). */
  previousModel: string;
  channelId: string;
  /** The progress message of the job. */
  messageId: string;
  /** The server whose job it was (delegated fine-tuning), null for the bot owners' job. */
  guildId: string | null;
}

export interface FollowerOptions {
  service: FineTuneService;
  surface: ChatSurface;
  state: StateStore;
  intervalMs: number;
  log: Logger;
  /** The configured chat model (EOS_CHAT_MODEL), for SucceededJob.previousModel. */
  configuredModel: string;
  /** Whether the chat endpoint serves `model` (GET /models); undefined = do not check before switching. */
  modelServed?: (model: string) => Promise<boolean>;
  /** Jobs waiting for their confirmation button. */
  pending: PendingFineTunes;
  /**
   * The state as a server sees it when fine-tuning is delegated to server admins (its own job, chat model and
   * last fine-tuned model, kept in guilds.<id>); undefined = one job for the whole bot.
   */
  scopeState?: (guildId: string) => StateStore;
}

type FollowedMessage = { channelId: string; messageId: string; note?: string };

/** Whose job: the bot owners' (guildId null: DMs, console, and every server when not delegated) or one server's. */
export interface JobScope {
  key: string;
  guildId: string | null;
  /** Where its job, message, chat model and last fine-tuned model are kept. */
  state: StateStore;
}

const KEEP = 50;
/** How long shutdown waits for a stopped follow loop to save what it was saving. */
const STOP_WAIT_MS = 5_000;

/**
 * Follows one fine-tuning job at a time and keeps a single progress message up to date by editing it in place.
 * The job and its message are kept in the state file, so following resumes after a restart. When the job ends it
 * posts the loss curve; on success it switches to the result when the backend says so (local trainers), and calls
 * the `onSucceeded` listeners.
 */
export class FineTuneFollower {
  private readonly runs = new Map<string, { abort: AbortController; running: Promise<void> }>();
  private readonly listeners: ((s: SucceededJob) => Promise<void>)[] = [];
  private ownersElsewhere: ((jobId: string, message: FollowedMessage) => Promise<boolean>) | null = null;

  constructor(private readonly o: FollowerOptions) {}

  get pending(): PendingFineTunes {
    return this.o.pending;
  }

  get service(): FineTuneService {
    return this.o.service;
  }

  /** Whether the chat endpoint lists `model` (GET /models); null when it cannot tell (no check configured, or the list failed). */
  async servesModel(model: string): Promise<boolean | null> {
    if (!this.o.modelServed) return null;
    return this.o.modelServed(model).catch(() => null);
  }

  /** Called after a job succeeded (and after any automatic switch). Errors are logged, never thrown. */
  onSucceeded(listener: (s: SucceededJob) => Promise<void>): void {
    this.listeners.push(listener);
  }

  /** Whether each server has its own job (training.fineTuneByServerAdmins). */
  get perServer(): boolean {
    return this.o.scopeState !== undefined;
  }

  /** The scope of a job started from `guildId` (null or not delegated: the bot owners' job). */
  scope(guildId: string | null): JobScope {
    if (guildId === null || !this.o.scopeState) return { key: 'owners', guildId: null, state: this.o.state };
    return { key: `guild:${guildId}`, guildId, state: this.o.scopeState(guildId) };
  }

  /** Whether `jobId` is one of the scope's jobs (a server's: any it started; the owners': the current one). */
  ownsJob(scope: JobScope, jobId: string): boolean {
    if (scope.guildId === null) return scope.state.training().fineTuneJobId === jobId;
    return (this.o.state.guild(scope.guildId).fineTuneJobs ?? []).includes(jobId);
  }

  /** Models the scope's jobs produced (a server's admins may `use` only these or the configured model). */
  ownModels(scope: JobScope): string[] {
    if (scope.guildId === null) return [scope.state.training().lastFineTunedModel].filter((m): m is string => !!m);
    return this.o.state.guild(scope.guildId).fineTuneModels ?? [];
  }

  /**
   * Sharded, on a shard other than 0: the owners' job is followed by shard 0 (which resumes it after restarts);
   * `fn` hands a job over and resolves false when shard 0 did not take it (then this shard follows it).
   */
  followOwnersElsewhere(fn: (jobId: string, message: FollowedMessage) => Promise<boolean>): void {
    this.ownersElsewhere = fn;
  }

  /** Starts following a job of `scope` (replacing the job that scope followed before; other scopes go on). */
  async follow(jobId: string, message: FollowedMessage, scope: JobScope = this.scope(null)): Promise<void> {
    if (scope.guildId === null && this.ownersElsewhere && (await this.ownersElsewhere(jobId, message))) return;
    void this.stop(scope.key);
    await scope.state.setTraining({ fineTuneJobId: jobId, fineTuneMessage: message });
    if (scope.guildId) await this.remember(scope.guildId, 'fineTuneJobs', jobId);
    const abort = new AbortController();
    this.runs.set(scope.key, { abort, running: this.loop(jobId, message, scope, abort.signal) });
  }

  /**
   * Resumes the jobs recorded in the state: the owners' (when `owners`, i.e. not a shard other than 0) and every
   * server's job this process owns (`ownsGuild`: the shard owning the server writes its state).
   */
  resume(opts: { owners?: boolean; ownsGuild?: (guildId: string) => boolean } = {}): void {
    const t = this.o.state.training();
    if (opts.owners !== false && t.fineTuneJobId && t.fineTuneMessage) void this.follow(t.fineTuneJobId, t.fineTuneMessage);
    if (!this.o.scopeState) return;
    for (const [guildId, g] of Object.entries(this.o.state.data().guilds)) {
      if (!g.fineTuneJobId || !g.fineTuneMessage || !(opts.ownsGuild?.(guildId) ?? true)) continue;
      void this.follow(g.fineTuneJobId, g.fineTuneMessage, this.scope(guildId));
    }
  }

  /**
   * Stops following (one scope, or every job at shutdown). Resolves when the stopped loops have ended (at most
   * STOP_WAIT_MS): a loop past its last poll still saves the outcome to the state, which must happen before
   * shutdown flushes the state (a write after stop reached a removed data folder in the e2e tests).
   */
  stop(key?: string): Promise<void> {
    const ended: Promise<void>[] = [];
    for (const [k, run] of this.runs) {
      if (key !== undefined && k !== key) continue;
      run.abort.abort();
      this.runs.delete(k);
      ended.push(run.running);
    }
    if (ended.length === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS).unref()));
    return Promise.race([Promise.all(ended).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  /** For tests and shutdown: resolves when the current follow loops end. */
  async settled(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.running));
  }

  /** Appends to a server's bounded list of its jobs / models. */
  private async remember(guildId: string, key: 'fineTuneJobs' | 'fineTuneModels', value: string): Promise<void> {
    const list = (this.o.state.guild(guildId)[key] ?? []).filter((v) => v !== value);
    await this.o.state.setGuild(guildId, { [key]: [...list, value].slice(-KEEP) });
  }

  /** The loss curve of a job as a PNG, or null when nothing was logged. */
  async lossChart(jobId: string): Promise<Buffer | null> {
    const points = await this.o.service.metrics(jobId);
    // imported on first use: the chart libraries (echarts, resvg) cost ~3 s and ~60 MiB at start otherwise
    const { renderLossCurve } = await import('../charts/loss.js');
    return renderLossCurve(points, { title: `Fine-tune ${jobId}: loss per step` });
  }

  private async loop(jobId: string, message: FollowedMessage, scope: JobScope, signal: AbortSignal): Promise<void> {
    const { service, surface, log } = this.o;
    const { state } = scope;
    const previousModel = state.training().chatModel ?? this.o.configuredModel;
    const show = async (job: JobView, extra = '') => {
      const note = message.note ? `\n${message.note}` : '';
      await surface.edit(message.channelId, message.messageId, { content: formatJob(job) + note + extra });
    };
    try {
      // The final state is shown once, below, together with what happened next (switch, `train use`).
      const final = await service.follow(jobId, {
        intervalMs: this.o.intervalMs,
        onUpdate: (j) => (isTerminal(j.status) ? Promise.resolve() : show(j)),
        signal,
      });
      log.info({ jobId, status: final.status, model: final.fineTunedModel, guild: scope.guildId }, 'fine-tune finished');
      let extra = '';
      if (final.status === 'succeeded' && final.fineTunedModel) {
        await state.setTraining({ lastFineTunedModel: final.fineTunedModel });
        if (scope.guildId) await this.remember(scope.guildId, 'fineTuneModels', final.fineTunedModel);
        extra = await this.afterSuccess(final.fineTunedModel, state);
      }
      await show(final, extra);
      await this.postChart(jobId, message.channelId, message.messageId);
      if (final.status === 'succeeded' && final.fineTunedModel) {
        const s: SucceededJob = {
          job: final,
          model: final.fineTunedModel,
          previousModel,
          channelId: message.channelId,
          messageId: message.messageId,
          guildId: scope.guildId,
        };
        for (const l of this.listeners) await l(s).catch((err: unknown) => log.warn({ err, jobId }, 'fine-tune success listener failed'));
      }
      // Ended and shown: a restart no longer resumes it (the job id stays for `train status`).
      if (state.training().fineTuneJobId === jobId) await state.setTraining({ fineTuneMessage: undefined });
    } catch (err) {
      if (signal.aborted) return;
      log.warn({ err, jobId }, 'fine-tune follow stopped');
      await surface
        .edit(message.channelId, message.messageId, { content: `Lost track of fine-tuning job \`${jobId}\`: use \`train status\`.` })
        .catch(() => undefined);
    }
  }

  /** Switches to the result when the backend serves it by name (local trainers); otherwise points at `train use`. */
  private async afterSuccess(model: string, state: StateStore): Promise<string> {
    if (!this.o.service.info.switchOnSuccess) return '\nMake it the chat model with `train use`.';
    const served = this.o.modelServed ? await this.o.modelServed(model).catch(() => false) : true;
    if (!served) return `\n\`${model}\` is not served by the chat endpoint yet: serve it (vLLM, Ollama...), then \`train use ${model}\`.`;
    await state.setTraining({ chatModel: model });
    return `\nSwitched the chat model to \`${model}\`. \`train use default\` goes back.`;
  }

  private async postChart(jobId: string, channelId: string, replyTo: string): Promise<void> {
    try {
      const png = await this.lossChart(jobId);
      if (!png) return;
      await this.o.surface.send(channelId, {
        content: `Loss curve of \`${jobId}\``,
        files: [{ name: `finetune-${jobId}.png`, data: png, contentType: 'image/png' }],
        replyTo,
      });
    } catch (err) {
      this.o.log.warn({ err, jobId }, 'loss curve not posted');
    }
  }
}
