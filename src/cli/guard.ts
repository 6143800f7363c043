/**
 * The CLI is a second writer while Eos runs on the same data folder (one process, or a sharding manager and its
 * shards): commands that write there are refused with exit code 3; read-only ones keep working.
 */
import path from 'node:path';
import type { AppConfig } from '../config.js';
import { runningBot } from '../shard/run-file.js';

export const BOT_RUNNING_EXIT = 3;

export class BotRunningError extends Error {
  override readonly name = 'BotRunningError';
}

/** What a command writes in the data folder (null: nothing, e.g. an output file elsewhere). */
export type Writes = string | null | ((config: AppConfig) => string | null);

/** Whether `file` lies inside the data folder. */
export function insideDataDir(config: AppConfig, file: string): boolean {
  const rel = path.relative(path.resolve(config.dataDir), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Throws BotRunningError when the command writes and a bot runs here; returns whether a bot runs (open read-only). */
export async function guardWriter(config: AppConfig, writes: Writes): Promise<boolean> {
  const running = await runningBot(config.dataDir);
  if (!running) return false;
  const what = typeof writes === 'function' ? writes(config) : writes;
  if (what) {
    throw new BotRunningError(
      `refused: ${running} is running on ${config.dataDir}, and this command writes ${what} there (a second writer could lose data). ` +
        'Stop Eos first, or use the bot command instead. Read-only commands (dataset list/stats/validate, export to a file outside the data folder, train report/status/cancel, shards) work meanwhile.',
    );
  }
  return true;
}
