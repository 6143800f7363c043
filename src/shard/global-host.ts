/**
 * The one writer of the global state file (users, training settings, DM channels) while sharded: the manager.
 * Shards send changes here (IPC) and get back a versioned snapshot; every change is also pushed to all shards.
 */
import { createStateStore, type StateStoreOptions } from '../state/store.js';
import type { GlobalChange, GlobalSnapshot } from './state.js';

export interface GlobalHost {
  snapshot(): GlobalSnapshot;
  change(c: GlobalChange): Promise<GlobalSnapshot>;
  onChange(fn: (s: GlobalSnapshot) => void): void;
  flush(): Promise<void>;
}

export async function createGlobalHost(file: string, opts: StateStoreOptions = {}): Promise<GlobalHost> {
  const store = await createStateStore(file, opts);
  let version = 1;
  const listeners: ((s: GlobalSnapshot) => void)[] = [];
  const snapshot = (): GlobalSnapshot => ({ version, data: structuredClone(store.data()) as GlobalSnapshot['data'] });
  return {
    snapshot,
    async change(c) {
      if (c.kind === 'user') await store.setUser(c.id, c.patch);
      else if (c.kind === 'channel') await store.setChannel(c.id, c.patch);
      else if (c.kind === 'training') await store.setTraining(c.patch);
      else throw new TypeError(`unknown global change ${(c as { kind: unknown }).kind as string}`);
      version++;
      const s = snapshot();
      for (const fn of listeners) fn(s);
      return s;
    },
    onChange: (fn) => void listeners.push(fn),
    flush: () => store.flush(),
  };
}
