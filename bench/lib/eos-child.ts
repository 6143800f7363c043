/**
 * Child process running the real Eos (startEos) against the emulator, so its memory and CPU are its own.
 * Driven over IPC by bench/lib/child-proc.ts.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { startEos } from '../../src/app.js';
import { serveChild, type RunningBot } from './child-serve.js';
import { liftDiscordRestCap, type ChildInit } from './ipc.js';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

async function start(init: ChildInit): Promise<RunningBot> {
  if (init.liftRestCap) await liftDiscordRestCap();
  const env: Record<string, string> = {
    DISCORD_TOKEN: init.token,
    DISCORD_API_URL: init.restBase,
    EOS_DATA_DIR: init.dataDir ?? '',
    EOS_LOG_LEVEL: 'info',
    ...(init.ownerId ? { EOS_OWNER_IDS: init.ownerId } : {}),
    ...(init.llm ? { OPENAI_API_KEY: init.llm.apiKey, OPENAI_BASE_URL: init.llm.baseURL, EOS_CHAT_MODEL: 'bench-model' } : {}),
  };
  const config = loadConfig({ env, cwd: PROJECT_ROOT, envFile: false });
  // Console log lines are dropped (the rotated log file under the data folder still gets them).
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const app = await startEos({ config, logDestination: sink });
  await app.ready;
  return { stop: () => app.stop() };
}

serveChild(start);
