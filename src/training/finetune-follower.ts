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
}

type FollowedMessage = { channelId: string; messageId: string; note?: string };

/**
 * Follows one fine-tuning job at a time and keeps a single progress message up to date by editing it in place.
 * The job and its message are kept in the state file, so following resumes after a restart. When the job ends it
 * posts the loss curve; on success it switches to the result when the backend says so (local trainers), and calls
 * the `onSucceeded` listeners.
 */
export class FineTuneFollower {
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private readonly listeners: ((s: SucceededJob) => Promise<void>)[] = [];

  constructor(private readonly o: FollowerOptions) {}

  get pending(): PendingFineTunes {
    return this.o.pending;
  }

  get service(): FineTuneService {
    return this.o.service;
  }

  /** Called after a job succeeded (and after any automatic switch). Errors are logged, never thrown. */
  onSucceeded(listener: (s: SucceededJob) => Promise<void>): void {
    this.listeners.push(listener);
  }

  /** Starts following (replacing any job followed before). Returns at once. */
  async follow(jobId: string, message: FollowedMessage): Promise<void> {
    this.stop();
    await this.o.state.setTraining({ fineTuneJobId: jobId, fineTuneMessage: message });
    const abort = new AbortController();
    this.abort = abort;
    this.running = this.loop(jobId, message, abort.signal);
  }

  /** Resumes the job recorded in the state file, if any. */
  resume(): void {
    const t = this.o.state.training();
    if (t.fineTuneJobId && t.fineTuneMessage) void this.follow(t.fineTuneJobId, t.fineTuneMessage);
  }

  stop(): void {
    this.abort?.abort();
    this.abort = null;
  }

  /** For tests and shutdown: resolves when the current follow loop ends. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** The loss curve of a job as a PNG, or null when nothing was logged. */
  async lossChart(jobId: string): Promise<Buffer | null> {
    const points = await this.o.service.metrics(jobId);
    // imported on first use: the chart libraries (echarts, resvg) cost ~3 s and ~60 MiB at start otherwise
    const { renderLossCurve } = await import('../charts/loss.js');
    return renderLossCurve(points, { title: `Fine-tune ${jobId}: loss per step` });
  }

  private async loop(jobId: string, message: FollowedMessage, signal: AbortSignal): Promise<void> {
    const { service, surface, state, log } = this.o;
    const previousModel = state.training().chatModel ?? this.o.configuredModel;
    const show = async (job: JobView, extra = '') => {
      const note = message.note ? `\n${message.note}` : '';
      await surface.edit(message.channelId, message.messageId, { content: formatJob(job) + note + extra });
    };
    try {
      // The final state is shown once, below, together with what happened next (switch, `train use`).
      const final = await service.follow(jobId, { intervalMs: this.o.intervalMs, onUpdate: (j) => (isTerminal(j.status) ? Promise.resolve() : show(j)), signal });
      log.info({ jobId, status: final.status, model: final.fineTunedModel }, 'fine-tune finished');
      let extra = '';
      if (final.status === 'succeeded' && final.fineTunedModel) {
        await state.setTraining({ lastFineTunedModel: final.fineTunedModel });
        extra = await this.afterSuccess(final.fineTunedModel);
      }
      await show(final, extra);
      await this.postChart(jobId, message.channelId, message.messageId);
      if (final.status === 'succeeded' && final.fineTunedModel) {
        const s: SucceededJob = { job: final, model: final.fineTunedModel, previousModel, channelId: message.channelId, messageId: message.messageId };
        for (const l of this.listeners) await l(s).catch((err: unknown) => log.warn({ err, jobId }, 'fine-tune success listener failed'));
      }
    } catch (err) {
      if (signal.aborted) return;
      log.warn({ err, jobId }, 'fine-tune follow stopped');
      await surface
        .edit(message.channelId, message.messageId, { content: `Lost track of fine-tuning job \`${jobId}\`: use \`train status\`.` })
        .catch(() => undefined);
    }
  }

  /** Switches to the result when the backend serves it by name (local trainers); otherwise points at `train use`. */
  private async afterSuccess(model: string): Promise<string> {
    if (!this.o.service.info.switchOnSuccess) return '\nMake it the chat model with `train use`.';
    const served = this.o.modelServed ? await this.o.modelServed(model).catch(() => false) : true;
    if (!served) return `\n\`${model}\` is not served by the chat endpoint yet: serve it (vLLM, Ollama...), then \`train use ${model}\`.`;
    await this.o.state.setTraining({ chatModel: model });
    return `\nSwitched the chat model to \`${model}\`. \`train use default\` goes back.`;
  }

  private async postChart(jobId: string, channelId: string, replyTo: string): Promise<void> {
    try {
      const png = await this.lossChart(jobId);
      if (!png) return;
      await this.o.surface.send(channelId, { content: `Loss curve of \`${jobId}\``, files: [{ name: `finetune-${jobId}.png`, data: png, contentType: 'image/png' }], replyTo });
    } catch (err) {
      this.o.log.warn({ err, jobId }, 'loss curve not posted');
    }
  }
}
