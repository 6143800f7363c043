/**
 * What one shard answers about the servers it owns, for the owners' cross-server commands: every server's datasets
 * (`owner.datasets`) and an archive of each server's datasets (`owner.archive`). A shard reads and writes only its
 * own servers' folders (guilds/<id>/, `(id >> 22) % count`); shard 0 (or the single process) adds the bot owners'
 * tenant (DMs, console: the top-level datasets/).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetStore } from '../datasets/store.js';
import type { DatasetManifest } from '../datasets/types.js';
import type { TenantDirectory } from '../tenancy/directory.js';
import { tenantPaths } from '../tenancy/layout.js';
import { ownsGuild, type ShardIdentity } from './ownership.js';
import type { OwnerOps } from './owner-ops.js';

export interface DatasetCounts {
  name: string;
  active: boolean;
  positive: number;
  negative: number;
  preference: number;
}

/** One server's datasets (guildId null: the bot owners' own, used in DMs and the console). */
export interface ServerDatasets {
  guildId: string | null;
  name: string | null;
  datasets: DatasetCounts[];
}

export interface ServerArchive {
  guildId: string | null;
  name: string | null;
  /** Non-empty datasets zipped. */
  datasets: number;
  records: number;
  /** Relative to the data folder. */
  file?: string;
  bytes?: number;
  error?: string;
}

export interface ServerDataDeps {
  dataDir: string;
  me: ShardIdentity;
  /** Per-server data (perServerData); absent: every server shares the owners' datasets. */
  tenants?: TenantDirectory;
  /** The owners' tenant. */
  owners: { datasets: DatasetStore; archivesDir: string; datasetsDir: string };
  /** Servers this shard's client is in, by id (names for the reply). */
  guildNames: () => ReadonlyMap<string, string>;
}

const records = (m: DatasetManifest) => m.counts.positive + m.counts.negative + m.counts.preference;

/** Guilds this shard owns: those its client is in, and those with a folder on disk (left servers keep their data). */
export async function ownedGuilds(deps: ServerDataDeps): Promise<string[]> {
  const onDisk = await readdir(path.join(deps.dataDir, 'guilds')).catch(() => [] as string[]);
  const ids = new Set([...deps.guildNames().keys(), ...onDisk.filter((n) => /^\d{15,25}$/.test(n))]);
  return [...ids].filter((g) => ownsGuild(deps.me, g)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

async function counts(store: DatasetStore): Promise<DatasetCounts[]> {
  const active = store.activeName();
  return (await store.list()).map((m) => ({ name: m.name, active: m.name === active, ...m.counts }));
}

/** A server (or the owners' tenant) and its store (null: no datasets folder yet). */
type Source = { guildId: string | null; name: string | null; datasets: DatasetStore | null; datasetsDir: string; archivesDir: string };

/** The servers (and owners' tenant) this shard answers for, with their stores. */
async function tenantsOf(deps: ServerDataDeps) {
  const names = deps.guildNames();
  const out: Source[] = [];
  if (deps.me.id === 0) out.push({ guildId: null, name: null, ...deps.owners });
  if (!deps.tenants) return out;
  for (const g of await ownedGuilds(deps)) {
    // A server with no datasets folder yet is listed without building its tenant (stores, memory) just for that.
    if (!(await isDir(tenantPaths(deps.dataDir, g).datasets))) {
      out.push({ guildId: g, name: names.get(g) ?? null, datasets: null, datasetsDir: '', archivesDir: '' });
      continue;
    }
    const t = deps.tenants.of(g);
    out.push({
      guildId: g,
      name: names.get(g) ?? null,
      datasets: t.datasets,
      datasetsDir: t.paths.datasets,
      archivesDir: t.paths.archives,
    });
  }
  return out;
}

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

export async function listServerDatasets(deps: ServerDataDeps): Promise<ServerDatasets[]> {
  const out: ServerDatasets[] = [];
  for (const t of await tenantsOf(deps))
    out.push({ guildId: t.guildId, name: t.name, datasets: t.datasets ? await counts(t.datasets) : [] });
  return out;
}

/** Zips every non-empty dataset of each server into that server's archives/ (one zip per server). */
export async function archiveServers(deps: ServerDataDeps): Promise<ServerArchive[]> {
  // imported on first use (archiver is large), as !archive does
  const { createArchive } = await import('../archive/index.js');
  const out: ServerArchive[] = [];
  for (const t of await tenantsOf(deps)) {
    const store = t.datasets;
    const manifests = store ? (await store.list()).filter((m) => records(m) > 0) : [];
    const base = { guildId: t.guildId, name: t.name, datasets: manifests.length, records: manifests.reduce((n, m) => n + records(m), 0) };
    if (!store || manifests.length === 0) {
      out.push(base);
      continue;
    }
    try {
      const r = await createArchive({
        datasetsDir: t.datasetsDir,
        archivesDir: t.archivesDir,
        names: manifests.map((m) => m.name),
        snapshot: (n) => store.snapshot(n),
      });
      out.push({ ...base, file: path.relative(deps.dataDir, r.path), bytes: r.bytes });
    } catch (err) {
      out.push({ ...base, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

export const OWNER_DATASETS = 'owner.datasets';
export const OWNER_ARCHIVE = 'owner.archive';
/** Archiving every server can take a while: its own bound (listing uses the fan-out default). */
export const ARCHIVE_TIMEOUT_MS = 60_000;

/** Registers this shard's answers (composition root). */
export function registerServerData(ops: OwnerOps, deps: ServerDataDeps): void {
  ops.handle(OWNER_DATASETS, () => listServerDatasets(deps));
  ops.handle(OWNER_ARCHIVE, () => archiveServers(deps));
}
