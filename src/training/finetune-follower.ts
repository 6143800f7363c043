import type { Logger } from 'pino';
import type { ChatSurface } from '../chat/types.js';
import type { StateStore } from '../state/store.js';
import { formatJob, type FineTuneService, type JobView } from '../finetune/index.js';

/**
 * Follows one fine-tuning job at a time and keeps a single progress message up to date by
 * editing it in place. The job and its message are kept in the state file, so following resumes
 * after a restart.
 */
export class FineTuneFollower {
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly service: FineTuneService,
    private readonly surface: ChatSurface,
    private readonly state: StateStore,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Starts following (replacing any job followed before). Returns at once. */
  async follow(jobId: string, message: { channelId: string; messageId: string; note?: string }): Promise<void> {
    this.stop();
    await this.state.setTraining({ fineTuneJobId: jobId, fineTuneMessage: message });
    const abort = new AbortController();
    this.abort = abort;
    this.running = this.loop(jobId, message, abort.signal);
  }

  /** Resumes the job recorded in the state file, if any. */
  resume(): void {
    const t = this.state.training();
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

  private async loop(jobId: string, message: { channelId: string; messageId: string; note?: string }, signal: AbortSignal): Promise<void> {
    const show = async (job: JobView) => {
      if (job.fineTunedModel) await this.state.setTraining({ lastFineTunedModel: job.fineTunedModel });
      const done = job.status === 'succeeded' && job.fineTunedModel ? `\nMake it the chat model with \`train use\`.` : '';
      const note = message.note ? `\n${message.note}` : '';
      await this.surface.edit(message.channelId, message.messageId, { content: formatJob(job) + note + done });
    };
    try {
      const final = await this.service.follow(jobId, { intervalMs: this.intervalMs, onUpdate: show, signal });
      this.log.info({ jobId, status: final.status, model: final.fineTunedModel }, 'fine-tune finished');
    } catch (err) {
      if (signal.aborted) return;
      this.log.warn({ err, jobId }, 'fine-tune follow stopped');
      await this.surface
        .edit(message.channelId, message.messageId, { content: `Lost track of fine-tuning job \`${jobId}\`: use \`train status\`.` })
        .catch(() => undefined);
    }
  }
}
