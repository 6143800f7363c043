/**
 * Which process owns what. Discord puts guild G on shard `(G >> 22) % count` and DMs on shard 0; Eos follows it
 * for files: `guilds/<G>/**` is written only by G's shard, DM-scoped data only by shard 0, and the global state
 * file only by the sharding manager (shards ask it over IPC). Pure functions, shared by manager, shards and tests.
 */
import path from 'node:path';

export function shardForGuild(guildId: string, count: number): number {
  if (!/^\d{1,20}$/.test(guildId)) throw new TypeError(`not a guild id: ${JSON.stringify(guildId)}`);
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

export interface ShardIdentity {
  id: number;
  count: number;
}

export function ownsGuild(me: ShardIdentity, guildId: string): boolean {
  return shardForGuild(guildId, me.count) === me.id;
}

/** `<dataDir>/guilds/<guildId>`: everything one server owns. */
export function guildDir(dataDir: string, guildId: string): string {
  if (!/^\d{1,20}$/.test(guildId)) throw new TypeError(`not a guild id: ${JSON.stringify(guildId)}`);
  return path.join(dataDir, 'guilds', guildId);
}

/** Per-guild settings (prefix, channel settings) kept by the owning shard. */
export function guildStateFile(dataDir: string, guildId: string): string {
  return path.join(guildDir(dataDir, guildId), 'state.json');
}

/** Where each shard writes its own logs. */
export function shardLogDir(logsDir: string, shardId: number): string {
  return path.join(logsDir, `shard-${shardId}`);
}

/** What names a manager's own files: the host, plus its shard IDs when it runs only some (several hosts). */
export function managerName(host: string, shardIds: readonly number[], count: number): string {
  const h = host.replace(/[^A-Za-z0-9_.-]/g, '_');
  return shardIds.length === count ? h : `${h}-shards-${shardIds.join('-')}`;
}

/** Status snapshot a manager writes for `npm run cli -- shards` (one per manager). */
export function shardStatusFile(dataDir: string, manager: string): string {
  return path.join(dataDir, 'shards', `status-${manager}.json`);
}

/** Parses `SHARDS`-style lists and checks every id is below count. */
export function checkShardList(ids: readonly number[], count: number): number[] {
  const bad = ids.filter((id) => !Number.isInteger(id) || id < 0 || id >= count);
  if (bad.length > 0) throw new RangeError(`EOS_SHARD_IDS ${bad.join(',')} not below the shard count ${count}`);
  return [...new Set(ids)].sort((a, b) => a - b);
}
