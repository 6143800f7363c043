/**
 * The one writer of the global state file (users, training settings, DM channels) while sharded: the manager.
 * Shards send changes here (IPC) and get back a versioned snapshot; every change is also pushed to all shards.
 */
import { readFile } from 'node:fs/promises';
import { parseState, emptyState } from '../state/schema.js';
import { createStateStore, type StateStoreOptions } from '../state/store.js';
import type { GlobalChange, GlobalSnapshot } from './state.js';

/** Why a host not running shard 0 refuses a global change (shards turn it into a UserError reply). */
export const GLOBAL_ELSEWHERE = 'global settings are changed on the host running shard 0';

export interface GlobalHost {
  snapshot(): GlobalSnapshot;
  change(c: GlobalChange): Promise<GlobalSnapshot>;
  onChange(fn: (s: GlobalSnapshot) => void): void;
  flush(): Promise<void>;
  /** Read-only hosts (not running shard 0): re-read the file and push it to the shards when it changed. */
  refresh(): Promise<void>;
}

export async function createGlobalHost(file: string, opts: StateStoreOptions = {}): Promise<GlobalHost> {
  const store = await createStateStore(file, opts);
  let version = 1;
  const listeners: ((s: GlobalSnapshot) => void)[] = [];
  const snapshot = (): GlobalSnapshot => ({ version, data: structuredClone(store.data()) });
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
    refresh: async () => undefined,
  };
}

/**
 * A host whose manager does not run shard 0 (several hosts, one data folder): it only reads the global file
 * (the manager of shard 0's host writes it) and refuses changes with a message saying where to make them.
 */
export async function createReadOnlyGlobalHost(file: string): Promise<GlobalHost> {
  const read = async () => parseState(JSON.parse(await readFile(file, 'utf8').catch(() => '{}'))) ?? emptyState();
  let data = await read();
  let version = 1;
  const listeners: ((s: GlobalSnapshot) => void)[] = [];
  const snapshot = (): GlobalSnapshot => ({ version, data: structuredClone(data) });
  return {
    snapshot,
    change: () => Promise.reject(new Error(GLOBAL_ELSEWHERE)),
    onChange: (fn) => void listeners.push(fn),
    flush: async () => undefined,
    async refresh() {
      const next = await read().catch(() => data);
      if (JSON.stringify(next) === JSON.stringify(data)) return;
      data = next;
      version++;
      for (const fn of listeners) fn(snapshot());
    },
  };
}
