import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { StateStore } from '../state/store.js';
import { GUILD_ID, tenantPaths, type DataScope } from './layout.js';

export type MigrationResult = { migrated: true; guildId: string; moved: string[] } | { migrated: false; reason: string };

async function nonEmpty(dir: string): Promise<boolean> {
  return (await readdir(dir).catch(() => [] as string[])).length > 0;
}

/**
 * One-time move of single-server data into the per-server layout (before any store opens it).
 * Runs only while `guilds/` does not exist yet. When the data names exactly one server (in the state
 * file's guild settings or the conversation logs' file names), its datasets, archives and evaluations
 * move to `guilds/<id>/` and its active dataset and default `!train` kind to `guilds.<id>` in the state:
 * nothing is copied or rewritten, folders are renamed. With zero or several servers the data stays
 * with the bot owners (DMs, console, CLI), who can hand it on with `!getfile`/the CLI.
 * Sharded (`scope`), only shard 0 (owner of the top-level folders) moves them, and only if it also owns that server;
 * otherwise they stay with the owners (start once without EOS_SHARDS to move them).
 */
export async function migrateSingleServer(opts: {
  dataDir: string;
  paths: { datasets: string; archives: string; conversations: string };
  state: StateStore;
  log: Logger;
  scope?: DataScope;
}): Promise<MigrationResult> {
  if (opts.scope && !opts.scope.ownsDms) return { migrated: false, reason: 'not the process owning the top-level folders' };
  const guildsDir = path.join(opts.dataDir, 'guilds');
  if ((await readdir(guildsDir).catch(() => null)) !== null) return { migrated: false, reason: 'already per server' };
  const evaluations = path.join(opts.dataDir, 'evaluations');
  const legacy = [opts.paths.datasets, opts.paths.archives, evaluations];
  const hasData = (await Promise.all(legacy.map(nonEmpty))).some(Boolean);
  const seen = new Set(Object.keys(opts.state.data().guilds).filter((g) => GUILD_ID.test(g)));
  for (const f of await readdir(opts.paths.conversations).catch(() => [] as string[])) {
    const id = /^(\d{15,25})_/.exec(f)?.[1];
    if (id) seen.add(id);
  }
  await mkdir(guildsDir, { recursive: true });
  if (!hasData) return { migrated: false, reason: 'no data' };
  if (seen.size !== 1) {
    opts.log.warn({ servers: seen.size }, 'existing datasets stay with the bot owners: they do not belong to exactly one server');
    return { migrated: false, reason: `${seen.size} servers` };
  }
  const guildId = [...seen][0]!;
  if (opts.scope && !opts.scope.ownsGuild(guildId)) {
    opts.log.warn({ guild: guildId }, 'existing datasets stay with the bot owners: their server is on another shard');
    return { migrated: false, reason: 'server on another shard' };
  }
  const target = tenantPaths(opts.dataDir, guildId);
  await mkdir(target.root, { recursive: true });
  const moved: string[] = [];
  for (const [from, to] of [
    [opts.paths.datasets, target.datasets],
    [opts.paths.archives, target.archives],
    [evaluations, target.evaluations],
  ] as const) {
    if (!(await nonEmpty(from))) continue;
    await rename(from, to);
    await mkdir(from, { recursive: true });
    moved.push(path.basename(from));
  }
  const { activeDataset, trainKind } = opts.state.training();
  await opts.state.setGuild(guildId, { activeDataset, trainKind });
  await opts.state.setTraining({ activeDataset: undefined, trainKind: undefined });
  await writeFile(
    path.join(guildsDir, 'MIGRATED.txt'),
    `Single-server data moved to guilds/${guildId}/ on ${new Date().toISOString()}: ${moved.join(', ')}\n`,
  );
  opts.log.info({ guild: guildId, moved }, 'single-server data moved to its server');
  return { migrated: true, guildId, moved };
}
