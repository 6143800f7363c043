// The child side of the bench IPC (types in ipc.ts): init -> start the bot -> ready; mem -> sample; stop -> exit.
// Plain JavaScript so that a bot child runs on bare node (no TypeScript loader in the measured process).
import { createRequire } from 'node:module';

/** process.memoryUsage() after two full GCs (children run with --expose-gc). */
export function sampleMemory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Raises discord.js's global REST limit in this process (the CommonJS copy discord.js itself loads). */
export function liftDiscordRestCap() {
  const rest = createRequire(import.meta.url)('@discordjs/rest');
  rest.DefaultRestOptions.globalRequestsPerSecond = 1_000_000;
}

/**
 * Answers the parent's messages for the bot `start(init)` creates. Without an IPC channel (started by hand or by
 * the start-time bench), the bot starts at once from DISCORD_TOKEN / DISCORD_API_URL / OPENAI_* in the environment.
 */
export function serveChild(start) {
  const send = (msg) => process.send?.(msg);
  if (!process.send) {
    const env = process.env;
    void start({
      type: 'init',
      token: env.DISCORD_TOKEN ?? '',
      restBase: env.DISCORD_API_URL ?? '',
      llm: env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY ?? 'x' } : undefined,
      liftRestCap: false,
      replyTo: 'mentions',
    });
    return;
  }
  let bot = null;
  process.on('message', (raw) => {
    if (raw.type === 'init') {
      start(raw).then(
        (b) => {
          bot = b;
          send({ type: 'ready' });
        },
        (err) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
    } else if (raw.type === 'mem') {
      const seen = bot?.seen?.();
      send({ type: 'mem', ...(seen === undefined ? {} : { seen }), ...sampleMemory() });
    } else if (raw.type === 'stop') {
      void (bot?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
    }
  });
}
