import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which tenant (server) the current work belongs to. The router and the feedback and voice handlers
 * run each event inside `run(guildId, …)`; code below them that was not given a guild explicitly
 * (few-shot retrieval, the offline model) reads it here. Outside any event: the bot owners' tenant.
 */
export class TenantContext {
  private readonly als = new AsyncLocalStorage<string | null>();

  run<T>(guildId: string | null, fn: () => T): T {
    return this.als.run(guildId, fn);
  }

  /** The current guild; null for DMs, the console and work outside any event. */
  current(): string | null {
    return this.als.getStore() ?? null;
  }
}

/** An object that forwards every property to whichever instance `pick()` returns at call time. */
export function delegate<T extends object>(pick: () => T): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      const target = pick();
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    has: (_target, prop) => Reflect.has(pick(), prop),
  });
}
