/**
 * Persistent settings store (lowdb 7, JSON file). Updates are serialized through one queue, applied to a
 * copy and committed only after the file was written (atomically: lowdb's steno writes a temp file in the
 * same folder and renames it). Before a write, the previous file is copied to a rotating backup
 * (at most once per `backupIntervalMs`, default one minute). A corrupt file at start is recovered (see load.ts).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { rotateBackups } from './backup.js';
import { loadState, silentLogger, type LoadedState, type StateLogger } from './load.js';
import {
  channelSettingsSchema,
  checkEntry,
  guildSettingsSchema,
  stateDataSchema,
  trainingSettingsSchema,
  userPrefsSchema,
  type ChannelSettings,
  type GuildSettings,
  type Patch,
  type StateData,
  type TrainingSettings,
  type UserPrefs,
} from './schema.js';

export type { ChannelSettings, GuildSettings, Patch, StateData, TrainingSettings, UserPrefs } from './schema.js';
export type { StateLogger, LoadedState } from './load.js';

export interface StateStore {
  guild(guildId: string): GuildSettings;
  channel(channelId: string): ChannelSettings;
  user(userId: string): UserPrefs;
  /** Mutates a copy of the data, validates it and persists it; calls are serialized (no lost updates). */
  update(fn: (data: StateData) => void): Promise<void>;
  /** Merge a patch; keys set to undefined are removed. Throws RangeError on out-of-range values. */
  setGuild(guildId: string, patch: Patch<GuildSettings>): Promise<void>;
  setChannel(channelId: string, patch: Patch<ChannelSettings>): Promise<void>;
  setUser(userId: string, patch: Patch<UserPrefs>): Promise<void>;
  /** Global training settings (active dataset, chosen chat model, followed fine-tune job). */
  training(): TrainingSettings;
  setTraining(patch: Patch<TrainingSettings>): Promise<void>;
  /** Current committed data (deep-frozen). */
  data(): Readonly<StateData>;
  /** Resolves when every queued update has been written. */
  flush(): Promise<void>;
  /** How the state was loaded at start (recovery information). */
  readonly loaded: Omit<LoadedState, 'data'>;
}

export interface StateStoreOptions {
  /** Number of rotating backups (default 3; 0 disables). */
  backups?: number;
  /** Minimum time between two backups (default 60000; 0 = before every write). */
  backupIntervalMs?: number;
  logger?: StateLogger;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 100 || id === '__proto__') {
    throw new TypeError(`Invalid state id: ${JSON.stringify(id)}`);
  }
}

function entry<T extends object>(record: Readonly<Record<string, T>>, id: string): T {
  return Object.hasOwn(record, id) ? { ...record[id] } as T : ({} as T);
}

/** Applies a patch to record[id] (validated); removes the entry when it becomes empty. */
function patchEntry<T extends object>(record: Record<string, T>, id: string, patch: Patch<T>, check: (v: unknown) => T): void {
  checkId(id);
  const merged: Record<string, unknown> = { ...entry(record, id), ...patch };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const valid = check(merged);
  if (Object.keys(merged).length === 0) delete record[id];
  else record[id] = valid;
}

export async function createStateStore(path: string, opts: StateStoreOptions = {}): Promise<StateStore> {
  const backups = Math.max(0, Math.floor(opts.backups ?? 3));
  const interval = opts.backupIntervalMs ?? 60_000;
  const log = opts.logger ?? silentLogger;
  await mkdir(dirname(path), { recursive: true });
  const { data: initial, ...loaded } = await loadState(path, backups, log);
  const db = new Low<StateData>(new JSONFile<StateData>(path), initial);
  let committed = deepFreeze(structuredClone(initial));
  let lastBackup = Number.NEGATIVE_INFINITY;
  let queue: Promise<void> = Promise.resolve();

  async function persist(next: StateData): Promise<void> {
    const now = Date.now();
    if (backups > 0 && now - lastBackup >= interval) {
      if (await rotateBackups(path, backups)) lastBackup = now;
    }
    db.data = next;
    await db.write();
  }

  async function apply(fn: (data: StateData) => void): Promise<void> {
    const draft = structuredClone(committed) as StateData;
    fn(draft);
    checkEntry(stateDataSchema, 'state', draft);
    try {
      await persist(draft);
    } catch (err) {
      log.error({ err, file: path }, 'could not write the state file');
      throw err;
    }
    committed = deepFreeze(draft);
  }

  function update(fn: (data: StateData) => void): Promise<void> {
    const result = queue.then(() => apply(fn));
    queue = result.catch(() => undefined);
    return result;
  }

  if (loaded.source === 'backup' || loaded.source === 'empty') await update(() => undefined).catch(() => undefined);

  return {
    guild: (id) => entry(committed.guilds, id),
    channel: (id) => entry(committed.channels, id),
    user: (id) => entry(committed.users, id),
    update,
    setGuild: (id, patch) => update((d) => patchEntry(d.guilds, id, patch, (v) => checkEntry(guildSettingsSchema, 'guild', v))),
    setChannel: (id, patch) =>
      update((d) => patchEntry(d.channels, id, patch, (v) => checkEntry(channelSettingsSchema, 'channel', v))),
    setUser: (id, patch) => update((d) => patchEntry(d.users, id, patch, (v) => checkEntry(userPrefsSchema, 'user', v))),
    training: () => ({ ...committed.training }),
    setTraining: (patch) =>
      update((d) => {
        const merged: Record<string, unknown> = { ...d.training, ...patch };
        for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
        d.training = checkEntry(trainingSettingsSchema, 'training', merged);
      }),
    data: () => committed,
    flush: () => queue,
    loaded,
  };
}
