/**
 * Gateway sharding as Discord does it: a session identifies as shard [id, count]; a guild belongs to shard
 * `(guild_id >> 22) % count`; DMs (no guild) go to shard 0. Close codes 4010 (invalid shard) and 4011 (sharding
 * required: fewer shards than `requiredShards`).
 */
import type { Json } from './objects.js';

export type ShardPair = readonly [number, number];

export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** The guild a dispatch is about (GUILD_CREATE carries it as `id`), or null for DMs and global events. */
export function guildOfDispatch(t: string, d: Json): string | null {
  if (t === 'GUILD_CREATE' || t === 'GUILD_UPDATE' || t === 'GUILD_DELETE') return typeof d.id === 'string' ? d.id : null;
  return typeof d.guild_id === 'string' ? d.guild_id : null;
}

/** True when a session identified as `shard` should receive a dispatch about `guildId` (null: DM/global → shard 0). */
export function shardReceives(shard: ShardPair, guildId: string | null): boolean {
  if (guildId === null) return shard[0] === 0;
  return shardOfGuild(guildId, shard[1]) === shard[0];
}

export type ShardCheck = { ok: true; shard: ShardPair } | { ok: false; code: number; reason: string };

/** Validates IDENTIFY's `shard` field (absent = [0, 1]) against the number of shards the bot must use at least. */
export function checkIdentifyShard(raw: unknown, requiredShards: number): ShardCheck {
  if (raw === undefined || raw === null) raw = [0, 1];
  if (!Array.isArray(raw) || raw.length !== 2 || !raw.every((n) => Number.isInteger(n))) {
    return { ok: false, code: 4010, reason: 'Invalid shard' };
  }
  const [id, count] = raw as [number, number];
  if (count < 1 || id < 0 || id >= count) return { ok: false, code: 4010, reason: 'Invalid shard' };
  if (count < requiredShards) return { ok: false, code: 4011, reason: 'Sharding required' };
  return { ok: true, shard: [id, count] };
}

/** A dispatch that reached a session whose shard does not own the guild (the self-test asserts there are none). */
export interface ShardMisroute {
  t: string;
  guildId: string | null;
  shard: ShardPair;
}
