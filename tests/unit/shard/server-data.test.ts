/** What one shard answers about its own servers: only the guilds it owns (on disk or in its client), the owners' tenant on shard 0. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { archiveServers, listServerDatasets, ownedGuilds, type ServerDataDeps } from '../../../src/shard/server-data.js';
import { DatasetStore } from '../../../src/datasets/store.js';
import type { TenantDirectory } from '../../../src/tenancy/directory.js';

// (id >> 22) % 2: A and C on shard 0, B on shard 1
const A = String(1n << 58n);
const B = String((1n << 58n) + (1n << 22n));
const C = String((1n << 59n) + (2n << 22n));

let dir: string;
beforeEach(async () => void (dir = await mkdtemp(path.join(tmpdir(), 'eos-serverdata-'))));
afterEach(async () => rm(dir, { recursive: true, force: true }));

const store = (root: string) => new DatasetStore({ root, active: { get: () => 'default', set: async () => undefined } });

function deps(me: { id: number; count: number }, names: [string, string][] = []): ServerDataDeps {
  const stores = new Map<string, DatasetStore>();
  const tenants = {
    of: (g: string) => {
      const root = path.join(dir, 'guilds', g, 'datasets');
      if (!stores.has(g)) stores.set(g, store(root));
      return { datasets: stores.get(g)!, paths: { datasets: root, archives: path.join(dir, 'guilds', g, 'archives') } };
    },
  } as unknown as TenantDirectory;
  return {
    dataDir: dir,
    me,
    tenants,
    owners: {
      datasets: store(path.join(dir, 'datasets')),
      datasetsDir: path.join(dir, 'datasets'),
      archivesDir: path.join(dir, 'archives'),
    },
    guildNames: () => new Map(names),
  };
}

describe('server data of one shard', () => {
  test("a shard answers only for its own guilds (on disk or in its client), never another shard's", async () => {
    for (const g of [A, B]) await mkdir(path.join(dir, 'guilds', g, 'datasets'), { recursive: true });
    expect(await ownedGuilds(deps({ id: 0, count: 2 }, [[C, 'Cee']]))).toEqual([A, C]);
    expect(await ownedGuilds(deps({ id: 1, count: 2 }))).toEqual([B]);
  });

  test("shard 0 adds the owners' tenant; datasets with their counts; archives only non-empty ones, into each guild's folder", async () => {
    const d = deps({ id: 0, count: 2 }, [[A, 'Aye']]);
    const a = d.tenants!.of(A).datasets;
    await a.init();
    await a.commit(
      [
        {
          kind: 'positive',
          record: {
            messages: [
              { role: 'user', content: 'a question' },
              { role: 'assistant', content: 'an answer' },
            ],
          },
        },
      ],
      'train',
    );
    const list = await listServerDatasets(d);
    expect(list.map((s) => s.guildId)).toEqual([null, A]);
    expect(list[1]).toEqual({
      guildId: A,
      name: 'Aye',
      datasets: [{ name: 'default', active: true, positive: 1, negative: 0, preference: 0 }],
    });
    const zips = await archiveServers(d);
    expect(zips[0]).toMatchObject({ guildId: null, datasets: 0, records: 0 });
    expect(zips[0]!.file).toBeUndefined();
    expect(zips[1]).toMatchObject({ guildId: A, datasets: 1, records: 1 });
    expect(zips[1]!.file).toMatch(new RegExp(`^guilds/${A}/archives/default-\\d{8}-\\d{6}.*\\.zip$`));
    expect((await listServerDatasets(deps({ id: 1, count: 2 }))).map((s) => s.guildId)).toEqual([]);
  });

  test('a server of the client with no datasets folder is listed as empty without building its tenant', async () => {
    const d = deps({ id: 0, count: 2 }, [[C, 'Cee']]);
    let made = 0;
    const of = d.tenants!.of.bind(d.tenants);
    (d.tenants as { of: typeof of }).of = (g) => (made++, of(g));
    expect(await listServerDatasets(d)).toEqual([
      { guildId: null, name: null, datasets: [] },
      { guildId: C, name: 'Cee', datasets: [] },
    ]);
    expect((await archiveServers(d))[1]).toEqual({ guildId: C, name: 'Cee', datasets: 0, records: 0 });
    expect(made).toBe(0);
  });
});
