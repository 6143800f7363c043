/**
 * Owner requests that span servers (`owner.*`), asked of every shard of this host (sharded: ShardControl.ask over
 * the manager) or of this one process (unsharded: the same handler, run locally). Either way the caller gets one
 * ShardAnswer per shard within the time bound, a shard that did not answer included as `{ok:false}`.
 */
import type { ShardIdentity } from './ownership.js';
import { DEFAULT_FANOUT_TIMEOUT_MS, type ShardAnswer, type ShardControl } from './types.js';

export type OwnerOp = `owner.${string}`;
export type OwnerHandler = (args: unknown) => unknown;

export interface OwnerOps {
  /** This shard (id 0 of 1 when unsharded). */
  readonly me: ShardIdentity;
  readonly sharded: boolean;
  /** Registers this process's answer to `op`. */
  handle(op: OwnerOp, fn: OwnerHandler): void;
  /** Every shard's answer to `op` (each within timeoutMs, or reported as not answering). */
  ask<T>(op: OwnerOp, args: unknown, timeoutMs?: number): Promise<ShardAnswer<T>[]>;
}

/** Runs fn, failing with a message naming op once timeoutMs have passed. */
export async function within<T>(op: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${op} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sharded: handlers go to the shard's IPC and questions to the manager. Unsharded (no shard): one local answer. */
export function createOwnerOps(shard?: {
  me: ShardIdentity;
  control: ShardControl;
  handle(op: OwnerOp, fn: OwnerHandler): void;
}): OwnerOps {
  if (shard) {
    return {
      me: shard.me,
      sharded: true,
      handle: (op, fn) => shard.handle(op, fn),
      ask: (op, args, timeoutMs) => shard.control.ask(op, args, timeoutMs),
    };
  }
  const handlers = new Map<string, OwnerHandler>();
  return {
    me: { id: 0, count: 1 },
    sharded: false,
    handle: (op, fn) => void handlers.set(op, fn),
    async ask<T>(op: OwnerOp, args: unknown, timeoutMs = DEFAULT_FANOUT_TIMEOUT_MS): Promise<ShardAnswer<T>[]> {
      const fn = handlers.get(op);
      try {
        if (!fn) throw new Error(`unknown request ${op}`);
        const result = await within(op, timeoutMs, async () => (await fn(args)) as T);
        return [{ shard: 0, ok: true, result }];
      } catch (err) {
        return [{ shard: 0, ok: false, error: err instanceof Error ? err.message : String(err) }];
      }
    },
  };
}

/** Shards that did not answer, for the end of a reply ('' when every shard answered). */
export function missingShards(answers: readonly ShardAnswer<unknown>[]): string {
  const missing = answers.filter((a) => !a.ok).sort((a, b) => a.shard - b.shard);
  if (missing.length === 0) return '';
  return missing.map((a) => `⚠️ shard ${a.shard} did not answer (${a.ok ? '' : a.error})`).join('\n');
}
