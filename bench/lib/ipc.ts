/** Messages between the bench (parent) and a bot child process (bench/lib/*-child.mjs, served by child-serve.mjs). */

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
