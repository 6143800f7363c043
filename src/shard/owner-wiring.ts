/** Builds the owners' cross-server requests for one process (a shard, or the whole bot unsharded) and registers its answers. */
import type { Client } from 'discord.js';
import type { DatasetStore } from '../datasets/store.js';
import type { FineTuneService } from '../finetune/service.js';
import type { TenantDirectory } from '../tenancy/directory.js';
import type { FineTuneFollower } from '../training/finetune-follower.js';
import { createOwnerOps, type OwnerOps } from './owner-ops.js';
import { registerOwnersJob } from './owners-job.js';
import type { ShardHooks } from './runtime.js';
import { registerServerData } from './server-data.js';

export function buildOwnerOps(d: {
  shard?: ShardHooks;
  dataDir: string;
  paths: { datasets: string; archives: string };
  datasets: DatasetStore;
  tenants?: TenantDirectory;
  client: () => Client | null;
  fineTune: FineTuneService | null;
  follower: FineTuneFollower | null;
}): OwnerOps {
  const ops = createOwnerOps(d.shard);
  registerServerData(ops, {
    dataDir: d.dataDir,
    me: ops.me,
    ...(d.tenants ? { tenants: d.tenants } : {}),
    owners: { datasets: d.datasets, datasetsDir: d.paths.datasets, archivesDir: d.paths.archives },
    guildNames: () => new Map(d.client()?.guilds.cache.map((g) => [g.id, g.name] as const) ?? []),
  });
  registerOwnersJob(ops, { fineTune: d.fineTune, follower: d.follower });
  return ops;
}
