import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import { createStateStore } from '../../../src/state/store.js';
import { migrateSingleServer } from '../../../src/tenancy/migrate.js';
import { tenantState } from '../../../src/tenancy/state-view.js';
import { TenantContext, delegate } from '../../../src/tenancy/context.js';
import { tenantPaths } from '../../../src/tenancy/layout.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const A = '100000000000000001';
const B = '100000000000000002';

async function legacyDir(guilds: string[]) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eos-tenancy-'));
  dirs.push(dataDir);
  const paths = {
    datasets: path.join(dataDir, 'datasets'),
    archives: path.join(dataDir, 'archives'),
    conversations: path.join(dataDir, 'conversations'),
  };
  await mkdir(path.join(paths.datasets, 'old'), { recursive: true });
  await writeFile(path.join(paths.datasets, 'old', 'positive.jsonl'), '{"messages":[]}\n');
  await mkdir(paths.conversations, { recursive: true });
  for (const g of guilds) await writeFile(path.join(paths.conversations, `${g}_200000000000000001.jsonl`), '');
  const state = await createStateStore(path.join(dataDir, 'state', 'eos.json'));
  await state.setTraining({ activeDataset: 'old', trainKind: 'negative', chatModel: 'ft:kept' });
  return { dataDir, paths, state };
}

describe('migration of single-server data', () => {
  test('one server: folders move, active dataset and kind move to the server, the chat model stays', async () => {
    const { dataDir, paths, state } = await legacyDir([A]);
    const r = await migrateSingleServer({ dataDir, paths, state, log });
    expect(r).toEqual({ migrated: true, guildId: A, moved: ['datasets'] });
    expect(await readFile(path.join(tenantPaths(dataDir, A).datasets, 'old', 'positive.jsonl'), 'utf8')).toBe('{"messages":[]}\n');
    expect(await readdir(paths.datasets)).toEqual([]);
    expect(state.guild(A)).toMatchObject({ activeDataset: 'old', trainKind: 'negative' });
    expect(state.training()).toEqual({ chatModel: 'ft:kept' });
    expect(await migrateSingleServer({ dataDir, paths, state, log })).toEqual({ migrated: false, reason: 'already per server' });
  });

  test('two servers (or none): the data stays with the bot owners', async () => {
    for (const guilds of [[A, B], []]) {
      const { dataDir, paths, state } = await legacyDir(guilds);
      const r = await migrateSingleServer({ dataDir, paths, state, log });
      expect(r.migrated).toBe(false);
      expect(await readFile(path.join(paths.datasets, 'old', 'positive.jsonl'), 'utf8')).toBe('{"messages":[]}\n');
      expect(state.training().activeDataset).toBe('old');
    }
  });
});

describe('tenant state and context', () => {
  test("a server's view reads and writes its own active dataset and kind; other keys stay shared", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'eos-tenancy-'));
    dirs.push(dataDir);
    const state = await createStateStore(path.join(dataDir, 'state', 'eos.json'));
    await state.setTraining({ activeDataset: 'owners', chatModel: 'm1' });
    const a = tenantState(state, A);
    expect(a.training()).toEqual({ chatModel: 'm1' });
    await a.setTraining({ activeDataset: 'a-set', trainKind: 'negative', chatModel: 'm2' });
    expect(state.guild(A)).toMatchObject({ activeDataset: 'a-set', trainKind: 'negative' });
    expect(state.training()).toEqual({ activeDataset: 'owners', chatModel: 'm2' });
    expect(tenantState(state, B).training().activeDataset).toBeUndefined();
  });

  test('delegate() follows the tenant of the running event, across awaits', async () => {
    const ctx = new TenantContext();
    const stores = new Map<string | null, { name: () => string }>([
      [null, { name: () => 'owners' }],
      [A, { name: () => 'A' }],
      [B, { name: () => 'B' }],
    ]);
    const current = delegate(() => stores.get(ctx.current())!);
    const seen = await Promise.all(
      [A, B, null].map((g) =>
        ctx.run(g, async () => {
          await new Promise((r) => setTimeout(r, 5));
          return current.name();
        }),
      ),
    );
    expect(seen).toEqual(['A', 'B', 'owners']);
    expect(current.name()).toBe('owners');
    expect(() => tenantPaths(dataDirOf(), '../x')).toThrow(TypeError);
  });
});

function dataDirOf(): string {
  return dirs[0] ?? tmpdir();
}
