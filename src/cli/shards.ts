/**
 * `npm run cli -- shards`: status of the running shards, read from the status files the sharding managers write
 * (<dataDir>/shards/status-<host>.json, every 10 s and at stop; one per host). Opens nothing for writing.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config.js';
import { formatShardAnswers, formatUptime, type ShardAnswer, type ShardStatus } from '../shard/types.js';

interface StatusFile {
  host: string;
  managerPid: number;
  state: 'running' | 'stopped';
  count: number;
  shardIds: number[];
  updatedAt: string;
  respawns: Record<string, number>;
  shards: ShardAnswer<ShardStatus>[];
}

export async function cliShards(config: AppConfig, out: (line: string) => void, now = Date.now()): Promise<number> {
  const dir = path.join(config.dataDir, 'shards');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^status-.+\.json$/.test(n)).sort();
  if (names.length === 0) throw new Error(`no shard status in ${dir}: Eos is not running sharded here (set EOS_SHARDS and npm start)`);
  for (const name of names) {
    let s: StatusFile;
    try {
      s = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as StatusFile;
    } catch {
      out(`${name}: unreadable`);
      continue;
    }
    const age = formatUptime(now - Date.parse(s.updatedAt));
    const respawns = Object.entries(s.respawns ?? {})
      .map(([id, n]) => `shard ${id} ×${n}`)
      .join(', ');
    out(
      `host ${s.host} (manager pid ${s.managerPid}): ${s.state}, shards ${s.shardIds.join(',')} of ${s.count}, as of ${age} ago${respawns ? `; respawned: ${respawns}` : ''}`,
    );
    if (s.state === 'running') for (const line of formatShardAnswers(s.shards, s.count).split('\n')) out(`  ${line}`);
  }
  return 0;
}
