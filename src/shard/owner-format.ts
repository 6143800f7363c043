/**
 * Replies of the owners' cross-server commands, merged from every shard's answer. Pure: the same answers give the
 * same text whichever shard (or DM) asked, ordered by server (owners' tenant first), never by arrival.
 */
import { formatBytes } from '../chat/attachments.js';
import { missingShards } from './owner-ops.js';
import type { DatasetCounts, ServerArchive, ServerDatasets } from './server-data.js';
import type { ShardAnswer } from './types.js';

/** Room under Discord's 2000 characters for the lines that are cut and the "…and N more" line. */
const BUDGET = 1750;

type Tagged<T> = T & { shard: number };

/** Every answering shard's entries, each tagged with its shard, owners' tenant first, then by shard and server id. */
export function mergeServers<T extends { guildId: string | null }>(answers: readonly ShardAnswer<T[]>[]): Tagged<T>[] {
  const all = answers.flatMap((a) => (a.ok ? a.result.map((r) => ({ ...r, shard: a.shard })) : []));
  const key = (r: Tagged<T>) => (r.guildId === null ? -1n : BigInt(r.guildId));
  return all.sort((a, b) => a.shard - b.shard || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function label(r: { guildId: string | null; name: string | null; shard: number }): string {
  if (r.guildId === null) return `**Bot owners (DMs)** · shard ${r.shard}`;
  return `**${(r.name ?? 'server').replace(/[*_`~|]/g, '')}** \`${r.guildId}\` · shard ${r.shard}`;
}

const dataset = (d: DatasetCounts) =>
  `${d.name}${d.active ? ' (active)' : ''}: ${d.positive} positive, ${d.negative} negative, ${d.preference} pairs`;

/** Lines kept within BUDGET; the rest counted in a closing line. The notes (shards that did not answer) always stay. */
function fit(header: string, lines: string[], notes: string, unit: string): string {
  const kept: string[] = [];
  let size = header.length + notes.length;
  for (const l of lines) {
    if (size + l.length + 1 > BUDGET) break;
    kept.push(l);
    size += l.length + 1;
  }
  const more = lines.length - kept.length;
  return [header, ...kept, ...(more > 0 ? [`…and ${more} more ${unit}`] : []), ...(notes ? [notes] : [])].join('\n');
}

const shardCount = (answers: readonly ShardAnswer<unknown>[]) => {
  const ok = answers.filter((a) => a.ok).length;
  return ok === answers.length ? `${ok} shard${ok === 1 ? '' : 's'}` : `${ok} of ${answers.length} shards`;
};

/** `!datasets servers`: every server's datasets with their counts. */
export function formatServerDatasets(answers: readonly ShardAnswer<ServerDatasets[]>[]): string {
  const servers = mergeServers(answers);
  const guilds = servers.filter((s) => s.guildId !== null).length;
  const header = `Datasets of ${guilds} server${guilds === 1 ? '' : 's'} (answered by ${shardCount(answers)}):`;
  const lines = servers.map((s) => `${label(s)}: ${s.datasets.length === 0 ? 'no datasets yet' : s.datasets.map(dataset).join(' · ')}`);
  return fit(header, lines, missingShards(answers), 'servers');
}

/** `!archive servers`: which servers were archived where, which had nothing to archive, and which shards did not answer. */
export function formatServerArchives(answers: readonly ShardAnswer<ServerArchive[]>[]): string {
  const servers = mergeServers(answers);
  const made = servers.filter((s) => s.file);
  const header = `Archives made: ${made.length} of ${servers.length} (one zip per server with data; answered by ${shardCount(answers)}):`;
  const lines = servers.map((s) => {
    if (s.error) return `${label(s)}: failed (${s.error.slice(0, 200)})`;
    if (!s.file) return `${label(s)}: nothing to archive`;
    return `${label(s)}: ${s.datasets} dataset${s.datasets === 1 ? '' : 's'}, ${s.records} records → \`${s.file}\` (${formatBytes(s.bytes ?? 0)})`;
  });
  const missing = missingShards(answers);
  const notes = missing
    ? `${missing}\nThe servers of a shard that did not answer are not listed (an archive it was making may still appear).`
    : '';
  return fit(header, lines, notes, 'servers');
}
