/**
 * A fine-tuning backend whose adapter is imported on first use: starting Eos does not load the adapter's SDK (the
 * openai SDK, about 240 modules). `info` is known before (commands and reports read it). A failure to build the
 * adapter rejects that call and the next one tries again.
 */
import type { BackendInfo, CreateJobRequest, FineTuneBackend } from './port.js';

export class LazyFineTuneBackend implements FineTuneBackend {
  private pending: Promise<FineTuneBackend> | undefined;

  constructor(
    readonly info: BackendInfo,
    private readonly load: () => Promise<FineTuneBackend>,
  ) {}

  private backend(): Promise<FineTuneBackend> {
    this.pending ??= this.load().catch((err: unknown) => {
      this.pending = undefined;
      throw err;
    });
    return this.pending;
  }

  async create(req: CreateJobRequest) {
    return (await this.backend()).create(req);
  }
  async status(jobId: string) {
    return (await this.backend()).status(jobId);
  }
  async cancel(jobId: string) {
    return (await this.backend()).cancel(jobId);
  }
  async events(jobId: string, limit?: number) {
    return (await this.backend()).events(jobId, limit);
  }
  async metrics(jobId: string) {
    return (await this.backend()).metrics(jobId);
  }
  /** Closes the adapter if it was built or is being built (nothing to release otherwise). */
  async close(): Promise<void> {
    const built = await this.pending?.catch(() => undefined);
    await built?.close?.();
  }
}
