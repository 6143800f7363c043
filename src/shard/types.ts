/** What the rest of Eos sees of sharding: this shard's identity and questions to every shard (bounded in time). */
import type { ShardIdentity } from './ownership.js';

export interface ShardStatus {
  id: number;
  pid: number;
  ready: boolean;
  guilds: number;
  /** Gateway heartbeat round trip in ms (-1 before the first). */
  pingMs: number;
  uptimeMs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

/** One shard's answer, or why there is none (not running, timed out, failed). */
export type ShardAnswer<T> = { shard: number; ok: true; result: T } | { shard: number; ok: false; error: string };

export interface ShardControl {
  readonly me: ShardIdentity;
  /** Status of every shard this manager runs; a shard that does not answer within timeoutMs is reported as such. */
  status(timeoutMs?: number): Promise<ShardAnswer<ShardStatus>[]>;
  /** Asks every shard to write what it buffers (manifests, state), so that files read next are current. */
  flushAll(timeoutMs?: number): Promise<ShardAnswer<boolean>[]>;
  /**
   * Asks every shard of this host to run `op` (an `owner.*` request registered with ShardHooks.handle) with `args`;
   * each answers within timeoutMs or is reported as not answering. This shard answers too (through the manager).
   */
  ask<T>(op: `owner.${string}`, args: unknown, timeoutMs?: number): Promise<ShardAnswer<T>[]>;
}

export const DEFAULT_FANOUT_TIMEOUT_MS = 3000;

/** One line per shard for `!shards` and `eos shards`. */
export function formatShardAnswers(answers: readonly ShardAnswer<ShardStatus>[], count: number): string {
  const lines = answers
    .slice()
    .sort((a, b) => a.shard - b.shard)
    .map((a) => {
      if (!a.ok) return `shard ${a.shard}/${count}: did not answer (${a.error})`;
      const s = a.result;
      const mb = (n: number) => `${Math.round(n / 1048576)} MB`;
      return `shard ${s.id}/${count}: ${s.ready ? 'ready' : 'connecting'}, ${s.guilds} servers, ping ${s.pingMs < 0 ? '-' : `${s.pingMs} ms`}, up ${formatUptime(s.uptimeMs)}, RSS ${mb(s.rssBytes)}, pid ${s.pid}`;
    });
  const total = answers.reduce((n, a) => n + (a.ok ? a.result.guilds : 0), 0);
  const missing = answers.filter((a) => !a.ok).length;
  return [
    ...lines,
    `total: ${total} servers on ${answers.length - missing} answering shards${missing ? `, ${missing} not answering` : ''}`,
  ].join('\n');
}

export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
