import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import { createLogger } from '../log.js';
import { createStateStore, type StateStore } from '../state/store.js';
import { DatasetStore } from '../datasets/store.js';
import { activeDatasetFromState } from '../datasets/active.js';

/** What the CLI commands share; built by cli.ts (the entry point) from the same config as the bot. */
export interface CliContext {
  config: AppConfig;
  log: Logger;
  state: StateStore;
  datasets: DatasetStore;
  out: (line: string) => void;
}

/**
 * `readOnly`: a bot is running on this data folder (src/shard/run-file.ts), so the datasets are opened as they are,
 * without the repair pass (rollback of unfinished commits, manifest rebuild) that would make the CLI a second writer.
 */
export async function createCliContext(
  config: AppConfig,
  out: (line: string) => void,
  verbose = false,
  readOnly = false,
): Promise<CliContext> {
  // While a bot runs, logs/eos.<n>.log is its file: the CLI logs to logs/cli.<n>.log.
  const file = readOnly ? { fileName: 'cli' } : {};
  const log = createLogger({ level: verbose ? 'debug' : 'warn', logDir: config.paths.logs, secrets: config.secrets(), ...file });
  const state = await createStateStore(config.paths.state, { logger: log });
  const datasets = new DatasetStore({ root: config.paths.datasets, active: activeDatasetFromState(state), log });
  if (!readOnly) await datasets.init();
  return { config, log, state, datasets, out };
}

export function datasetFile(ctx: CliContext, name: string, kind: string): string {
  return path.join(ctx.datasets.dir(name), `${kind}.jsonl`);
}
