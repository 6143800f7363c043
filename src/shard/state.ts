/**
 * StateStore of one shard. Per-guild settings (guild prefix/consent, settings of that guild's channels) live in
 * `guilds/<gid>/state.json`, one lowdb file per guild, written only by the shard owning the guild. Everything
 * else (users, training = model/active dataset/fine-tune job, DM channels) lives in the global state file, which
 * only the manager writes: this store keeps a read replica and sends changes to the manager (`GlobalLink`).
 * Entries still in the global file from before sharding are read as a fallback and moved into the guild file on
 * the guild's first write (nothing is lost by sharding or resharding).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  createStateStore,
  type ChannelSettings,
  type Patch,
  type StateData,
  type StateStore,
  type StateStoreOptions,
  type TrainingSettings,
  type UserPrefs,
} from '../state/store.js';
import { guildStateFile, ownsGuild, shardForGuild, type ShardIdentity } from './ownership.js';

export type GlobalChange =
  | { kind: 'user'; id: string; patch: Patch<UserPrefs> }
  | { kind: 'channel'; id: string; patch: Patch<ChannelSettings> }
  | { kind: 'training'; patch: Patch<TrainingSettings> };

/** A versioned snapshot of the global state file. */
export interface GlobalSnapshot {
  version: number;
  data: StateData;
}

/** The shard's line to the one writer of the global state (the manager). */
export interface GlobalLink {
  snapshot(): Promise<GlobalSnapshot>;
  change(change: GlobalChange): Promise<GlobalSnapshot>;
  onSnapshot(fn: (s: GlobalSnapshot) => void): void;
}

export interface ShardStateOptions {
  dataDir: string;
  me: ShardIdentity;
  global: GlobalLink;
  /** The guild of a channel (discord.js cache), null for DMs / unknown. */
  guildOfChannel: (channelId: string) => string | null;
  store?: StateStoreOptions;
}

export class NotOwnerError extends Error {
  constructor(guildId: string, me: ShardIdentity) {
    super(`guild ${guildId} belongs to shard ${shardForGuild(guildId, me.count)}, not shard ${me.id}`);
    this.name = 'NotOwnerError';
  }
}

async function guildsOnDisk(dataDir: string): Promise<string[]> {
  try {
    return (await readdir(path.join(dataDir, 'guilds'))).filter((n) => /^\d{1,20}$/.test(n));
  } catch {
    return [];
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});

export async function createShardStateStore(opts: ShardStateOptions): Promise<StateStore> {
  const { dataDir, me, global } = opts;
  let replica = await global.snapshot();
  global.onSnapshot((s) => {
    if (s.version > replica.version) replica = s;
  });
  const adopt = (s: GlobalSnapshot) => {
    if (s.version > replica.version) replica = s;
  };
  const guilds = new Map<string, StateStore>();
  const channelGuild = new Map<string, string>();
  const opening = new Map<string, Promise<StateStore>>();

  const open = async (gid: string): Promise<StateStore> => {
    const store = await createStateStore(guildStateFile(dataDir, gid), opts.store);
    for (const cid of Object.keys(store.data().channels)) channelGuild.set(cid, gid);
    guilds.set(gid, store);
    return store;
  };
  for (const gid of await guildsOnDisk(dataDir)) if (ownsGuild(me, gid)) await open(gid);

  /** The guild's store, created on first write with the guild's entries still in the global file (migration). */
  const ensure = (gid: string): Promise<StateStore> => {
    if (!ownsGuild(me, gid)) return Promise.reject(new NotOwnerError(gid, me));
    const existing = guilds.get(gid);
    if (existing) return Promise.resolve(existing);
    let p = opening.get(gid);
    if (!p) {
      p = open(gid).then(async (store) => {
        const legacy = replica.data;
        await store.update((d) => {
          if (legacy.guilds[gid]) d.guilds[gid] = { ...legacy.guilds[gid] };
          for (const [cid, s] of Object.entries(legacy.channels)) if (opts.guildOfChannel(cid) === gid) d.channels[cid] = { ...s };
        });
        for (const cid of Object.keys(store.data().channels)) channelGuild.set(cid, gid);
        return store;
      });
      opening.set(gid, p);
      void p.finally(() => opening.delete(gid)).catch(() => undefined);
    }
    return p;
  };
  const guildOf = (cid: string): string | null => opts.guildOfChannel(cid) ?? channelGuild.get(cid) ?? null;
  const sendGlobal = async (change: GlobalChange) => adopt(await global.change(change));

  const setChannel = async (cid: string, patch: Patch<ChannelSettings>) => {
    const gid = guildOf(cid);
    if (gid === null) return sendGlobal({ kind: 'channel', id: cid, patch });
    const store = await ensure(gid);
    channelGuild.set(cid, gid);
    await store.setChannel(cid, patch);
  };

  const merged = (): StateData => {
    const d = structuredClone(replica.data) as StateData;
    for (const store of guilds.values()) {
      Object.assign(d.guilds, store.data().guilds);
      Object.assign(d.channels, store.data().channels);
    }
    return d;
  };

  /** Generic update: runs fn on the merged view, then sends each changed entry to its owner. */
  const update = async (fn: (data: StateData) => void): Promise<void> => {
    const before = merged();
    const draft = structuredClone(before);
    fn(draft);
    const unset = <T extends object>(old: T | undefined, next: T | undefined) =>
      ({ ...Object.fromEntries(Object.keys(old ?? {}).map((k) => [k, undefined])), ...next }) as Patch<T>;
    for (const gid of new Set([...Object.keys(before.guilds), ...Object.keys(draft.guilds)])) {
      if (!same(before.guilds[gid], draft.guilds[gid]))
        await (await ensure(gid)).setGuild(gid, unset(before.guilds[gid], draft.guilds[gid]));
    }
    for (const cid of new Set([...Object.keys(before.channels), ...Object.keys(draft.channels)])) {
      if (!same(before.channels[cid], draft.channels[cid])) await setChannel(cid, unset(before.channels[cid], draft.channels[cid]));
    }
    for (const uid of new Set([...Object.keys(before.users), ...Object.keys(draft.users)])) {
      if (!same(before.users[uid], draft.users[uid]))
        await sendGlobal({ kind: 'user', id: uid, patch: unset(before.users[uid], draft.users[uid]) });
    }
    if (!same(before.training, draft.training)) await sendGlobal({ kind: 'training', patch: unset(before.training, draft.training) });
  };

  return {
    guild: (gid) => {
      const store = guilds.get(gid);
      return store ? store.guild(gid) : { ...(replica.data.guilds[gid] ?? {}) };
    },
    channel: (cid) => {
      const gid = guildOf(cid);
      const store = gid ? guilds.get(gid) : undefined;
      return store ? store.channel(cid) : { ...(replica.data.channels[cid] ?? {}) };
    },
    user: (uid) => ({ ...(replica.data.users[uid] ?? {}) }),
    update,
    setGuild: async (gid, patch) => (await ensure(gid)).setGuild(gid, patch),
    setChannel,
    setUser: (uid, patch) => sendGlobal({ kind: 'user', id: uid, patch }),
    training: () => ({ ...replica.data.training }),
    setTraining: (patch) => sendGlobal({ kind: 'training', patch }),
    data: () => merged(),
    flush: async () => {
      await Promise.all([...opening.values()].map((p) => p.catch(() => undefined)));
      await Promise.all([...guilds.values()].map((s) => s.flush()));
    },
    loaded: { source: 'file' },
  };
}
