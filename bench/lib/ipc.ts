/** Messages between the bench (parent) and a bot child process (bench/lib/eos-child.ts, bench/lib/bare-child.ts). */

export interface ChildInit {
  type: 'init';
  restBase: string;
  token: string;
  /** Eos only: fake LLM endpoint and data folder (holding eos.config.json). */
  llm?: { baseURL: string; apiKey: string };
  dataDir?: string;
  ownerId?: string;
  /** Raise discord.js's client-side global limit of 50 REST requests/s (DefaultRestOptions.globalRequestsPerSecond). */
  liftRestCap: boolean;
  /** Bare bot only: which messages get `message.reply('ok')`. */
  replyTo?: 'all' | 'mentions';
}

export interface MemorySample {
  /** Bare bot only: messageCreate events seen so far. */
  seen?: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export type ParentMessage = ChildInit | { type: 'mem' } | { type: 'stop' };
export type ChildMessage = { type: 'ready' } | ({ type: 'mem' } & MemorySample) | { type: 'error'; message: string };

/** What a child answers to {type:'mem'}: process.memoryUsage() after two full GCs (run with --expose-gc). */
export function sampleMemory(): MemorySample {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Raises discord.js's global REST limit in this process (the CommonJS copy discord.js itself loads). */
export async function liftDiscordRestCap(): Promise<void> {
  const { createRequire } = await import('node:module');
  const rest = createRequire(import.meta.url)('@discordjs/rest') as { DefaultRestOptions: { globalRequestsPerSecond: number } };
  rest.DefaultRestOptions.globalRequestsPerSecond = 1_000_000;
}
