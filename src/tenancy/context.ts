import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which tenant (server) the current work belongs to. The router and the feedback and voice handlers
 * run each event inside `run(guildId, …)`; code below them that was not given a guild explicitly
 * (few-shot retrieval, the offline model) reads it here. Outside any event: the bot owners' tenant.
 */
export class TenantContext {
  private readonly als = new AsyncLocalStorage<{ guildId: string | null; actor: EventActor | null }>();

  /** `actor`: who caused the event, when it matters for what they may change (members' contributions). */
  run<T>(guildId: string | null, fn: () => T, actor: EventActor | null = null): T {
    return this.als.run({ guildId, actor }, fn);
  }

  /** The current guild; null for DMs, the console and work outside any event. */
  current(): string | null {
    return this.als.getStore()?.guildId ?? null;
  }

  actor(): EventActor | null {
    return this.als.getStore()?.actor ?? null;
  }
}

/** The user behind an event, as the tenancy rules need it. */
export interface EventActor {
  userId: string;
  roleIds: readonly string[];
  guildAdmin: boolean;
  /** Display name (kept with a pending contribution, never the ID). */
  name: string;
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
