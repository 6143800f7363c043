/**
 * One writer per file (issue 13) in the tenancy layer: sharded, only the process owning the top-level folders
 * (shard 0) moves single-server data, and only into a server it owns; a guild-scoped lookup never falls back to the
 * owners' tenant.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { tempDir } from '../datasets/helpers.js';
import { describe, expect, test } from 'vitest';
import { createStateStore } from '../../../src/state/store.js';
import { migrateSingleServer } from '../../../src/tenancy/migrate.js';
import { TenantContext } from '../../../src/tenancy/context.js';
import { TenantDirectory, type Tenant } from '../../../src/tenancy/directory.js';
import { guildDataFiles } from '../../../src/tenancy/layout.js';

const log = pino({ level: 'silent' });
const A = '100000000000000001';

async function legacyDir() {
  const dataDir = await tempDir();
  const paths = {
    datasets: path.join(dataDir, 'datasets'),
    archives: path.join(dataDir, 'archives'),
    conversations: path.join(dataDir, 'conversations'),
  };
  await mkdir(path.join(paths.datasets, 'old'), { recursive: true });
  await writeFile(path.join(paths.datasets, 'old', 'positive.jsonl'), '{"messages":[]}\n');
  await mkdir(paths.conversations, { recursive: true });
  await writeFile(path.join(paths.conversations, `${A}_200000000000000001.jsonl`), '');
  const state = await createStateStore(path.join(dataDir, 'state', 'eos.json'));
  return { dataDir, paths, state };
}

describe('single-server migration under sharding', () => {
  test('a shard other than 0 never moves the top-level folders (nor creates guilds/)', async () => {
    const { dataDir, paths, state } = await legacyDir();
    const r = await migrateSingleServer({ dataDir, paths, state, log, scope: { ownsDms: false, ownsGuild: () => true } });
    expect(r.migrated).toBe(false);
    expect(await readdir(dataDir)).not.toContain('guilds');
    expect(await readFile(path.join(paths.datasets, 'old', 'positive.jsonl'), 'utf8')).toBe('{"messages":[]}\n');
  });

  test("shard 0 leaves the data with the owners when the one server is another shard's", async () => {
    const { dataDir, paths, state } = await legacyDir();
    const r = await migrateSingleServer({ dataDir, paths, state, log, scope: { ownsDms: true, ownsGuild: () => false } });
    expect(r).toEqual({ migrated: false, reason: 'server on another shard' });
    expect(await readdir(path.join(dataDir, 'guilds'))).toEqual([]);
    expect(await readFile(path.join(paths.datasets, 'old', 'positive.jsonl'), 'utf8')).toBe('{"messages":[]}\n');
  });

  test('shard 0 owning the server moves it as the unsharded process does', async () => {
    const { dataDir, paths, state } = await legacyDir();
    const r = await migrateSingleServer({ dataDir, paths, state, log, scope: { ownsDms: true, ownsGuild: (g) => g === A } });
    expect(r).toEqual({ migrated: true, guildId: A, moved: ['datasets'] });
  });
});

describe('TenantDirectory.of', () => {
  const tenant = (guildId: string | null) => ({ guildId }) as unknown as Tenant;
  const dir = new TenantDirectory(tenant(null), (g) => tenant(g), new TenantContext());

  test("null is the owners' tenant, a snowflake its server's", () => {
    expect(dir.of(null).guildId).toBeNull();
    expect(dir.of(A).guildId).toBe(A);
  });

  test("a guild id that is not a snowflake is refused, never the owners' tenant (whose files shard 0 writes)", () => {
    for (const bad of ['abc', '123', `${A}/..`]) expect(() => dir.of(bad)).toThrow(/not a guild id/);
  });

  test('per-server files outside the datasets: candidates and the !forget me index under guilds/<id>/', () => {
    expect(guildDataFiles('/d', A)).toEqual({
      candidates: path.join('/d', 'guilds', A, 'candidates.jsonl'),
      contributions: path.join('/d', 'guilds', A, 'privacy', 'contributions.jsonl'),
    });
    expect(() => guildDataFiles('/d', '../x')).toThrow(TypeError);
  });
});
