// Child process running the real Eos (startEos) against the emulator, so its memory and CPU are its own.
// It runs the compiled build (dist/, as `npm start` does); EOS_BENCH_EOS_ROOT=<checkout> with
// EOS_BENCH_EOS_SOURCE=1 runs another checkout's TypeScript through tsx instead (the "before" column).
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { liftDiscordRestCap, serveChild } from './child-serve.mjs';

const ROOT = process.env.EOS_BENCH_EOS_ROOT ?? path.resolve(import.meta.dirname, '../..');
const FROM_SOURCE = process.env.EOS_BENCH_EOS_SOURCE === '1';
const mod = (name) => pathToFileURL(path.join(ROOT, FROM_SOURCE ? `src/${name}.ts` : `dist/${name}.js`)).href;

async function start(init) {
  if (init.liftRestCap) liftDiscordRestCap();
  const { loadConfig } = await import(mod('config'));
  const { startEos } = await import(mod('app'));
  const env = {
    DISCORD_TOKEN: init.token,
    DISCORD_API_URL: init.restBase,
    EOS_DATA_DIR: init.dataDir ?? '',
    EOS_LOG_LEVEL: 'info',
    ...(init.ownerId ? { EOS_OWNER_IDS: init.ownerId } : {}),
    ...(init.llm ? { OPENAI_API_KEY: init.llm.apiKey, OPENAI_BASE_URL: init.llm.baseURL, EOS_CHAT_MODEL: 'bench-model' } : {}),
  };
  const config = loadConfig({ env, cwd: ROOT, envFile: false });
  // Console log lines are dropped (the rotated log file under the data folder still gets them).
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const app = await startEos({ config, logDestination: sink });
  await app.ready;
  return { stop: () => app.stop() };
}

serveChild(start);
