/** The owners' cross-server replies: merge and format of every shard's answer, the local (unsharded) ask, and its bound. */
import { describe, expect, test } from 'vitest';
import { formatServerArchives, formatServerDatasets, mergeServers } from '../../../src/shard/owner-format.js';
import { createOwnerOps, missingShards } from '../../../src/shard/owner-ops.js';
import type { ServerArchive, ServerDatasets } from '../../../src/shard/server-data.js';
import type { ShardAnswer } from '../../../src/shard/types.js';
import { askOwnersJob, ownersJobElsewhere, OWNER_FINETUNE, registerOwnersJob } from '../../../src/shard/owners-job.js';
import { UserError } from '../../../src/core/errors.js';

const G0 = '1000000000000000000';
const G1 = '1000000000004194304';
const G2 = '1000000000008388608';
const ds = (name: string, positive: number, active = false) => ({ name, active, positive, negative: 0, preference: 0 });

const shard0: ShardAnswer<ServerDatasets[]> = {
  shard: 0,
  ok: true,
  result: [
    { guildId: G2, name: 'Zed', datasets: [] },
    { guildId: G0, name: 'Alpha', datasets: [ds('default', 3, true)] },
    { guildId: null, name: null, datasets: [ds('default', 5, true), ds('extra', 1)] },
  ],
};
const shard1: ShardAnswer<ServerDatasets[]> = {
  shard: 1,
  ok: true,
  result: [{ guildId: G1, name: 'Be*ta', datasets: [ds('x', 2, true)] }],
};

describe('mergeServers', () => {
  test('orders by shard, the owners first, then by server id, whatever order the answers came in', () => {
    const a = mergeServers([shard1, shard0]).map((s) => `${s.shard}:${s.guildId}`);
    const b = mergeServers([shard0, shard1]).map((s) => `${s.shard}:${s.guildId}`);
    expect(a).toEqual([`0:null`, `0:${G0}`, `0:${G2}`, `1:${G1}`]);
    expect(b).toEqual(a);
  });
});

describe('formatServerDatasets', () => {
  test('every server with its datasets and shard; the same text from any answer order', () => {
    const text = formatServerDatasets([shard0, shard1]);
    expect(text).toBe(formatServerDatasets([shard1, shard0]));
    expect(text.split('\n')).toEqual([
      'Datasets of 3 servers (answered by 2 shards):',
      '**Bot owners (DMs)** · shard 0: default (active): 5 positive, 0 negative, 0 pairs · extra: 1 positive, 0 negative, 0 pairs',
      `**Alpha** \`${G0}\` · shard 0: default (active): 3 positive, 0 negative, 0 pairs`,
      `**Zed** \`${G2}\` · shard 0: no datasets yet`,
      `**Beta** \`${G1}\` · shard 1: x (active): 2 positive, 0 negative, 0 pairs`,
    ]);
  });

  test('a shard that did not answer is named, with why', () => {
    const text = formatServerDatasets([shard0, { shard: 1, ok: false, error: 'no answer to owner.datasets within 3000 ms' }]);
    expect(text).toMatch(/^Datasets of 2 servers \(answered by 1 of 2 shards\):/);
    expect(text).toContain('⚠️ shard 1 did not answer (no answer to owner.datasets within 3000 ms)');
    expect(text).not.toContain('Beta');
  });

  test('stays under Discord’s 2000 characters with many servers, counting the rest, and keeps the missing-shard note', () => {
    const many: ShardAnswer<ServerDatasets[]> = {
      shard: 0,
      ok: true,
      result: Array.from({ length: 200 }, (_, i) => ({
        guildId: String(10n ** 18n + BigInt(i)),
        name: `Server ${i}`,
        datasets: [ds('default', i)],
      })),
    };
    const text = formatServerDatasets([many, { shard: 1, ok: false, error: 'not running' }]);
    expect(text.length).toBeLessThan(2000);
    expect(text).toMatch(/…and \d+ more servers/);
    expect(text).toContain('shard 1 did not answer (not running)');
  });
});

describe('formatServerArchives', () => {
  test('says which servers were archived where, which had nothing, which failed, and which shards did not answer', () => {
    const a0: ShardAnswer<ServerArchive[]> = {
      shard: 0,
      ok: true,
      result: [
        { guildId: null, name: null, datasets: 2, records: 6, file: 'archives/datasets-1.zip', bytes: 2048 },
        { guildId: G0, name: 'Alpha', datasets: 0, records: 0 },
        { guildId: G2, name: 'Zed', datasets: 1, records: 1, error: 'disk full' },
      ],
    };
    const text = formatServerArchives([a0, { shard: 1, ok: false, error: 'no answer to owner.archive within 60000 ms' }]);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'Archives made: 1 of 3 (one zip per server with data; answered by 1 of 2 shards):',
      '**Bot owners (DMs)** · shard 0: 2 datasets, 6 records → `archives/datasets-1.zip` (2 KB)',
      `**Alpha** \`${G0}\` · shard 0: nothing to archive`,
      `**Zed** \`${G2}\` · shard 0: failed (disk full)`,
    ]);
    expect(text).toContain('⚠️ shard 1 did not answer (no answer to owner.archive within 60000 ms)');
  });
});

describe('createOwnerOps (unsharded)', () => {
  test('asks the one process: its answer as shard 0', async () => {
    const ops = createOwnerOps();
    ops.handle('owner.echo', (args) => ({ got: args }));
    expect(ops.sharded).toBe(false);
    expect(await ops.ask('owner.echo', 7)).toEqual([{ shard: 0, ok: true, result: { got: 7 } }]);
  });

  test('a handler that does not answer in time is reported within the bound, as a shard would be', async () => {
    const ops = createOwnerOps();
    ops.handle('owner.slow', () => new Promise(() => undefined));
    const started = Date.now();
    const [a] = await ops.ask('owner.slow', null, 100);
    expect(a).toEqual({ shard: 0, ok: false, error: 'no answer to owner.slow within 100 ms' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(missingShards([a!])).toBe('⚠️ shard 0 did not answer (no answer to owner.slow within 100 ms)');
  });

  test('an unknown request and a failing handler are answers too', async () => {
    const ops = createOwnerOps();
    ops.handle('owner.fail', () => {
      throw new Error('boom');
    });
    expect(await ops.ask('owner.none', null)).toEqual([{ shard: 0, ok: false, error: 'unknown request owner.none' }]);
    expect(await ops.ask('owner.fail', null)).toEqual([{ shard: 0, ok: false, error: 'boom' }]);
  });

  test('sharded: handlers and questions go through the shard hooks', async () => {
    const handled: string[] = [];
    const ops = createOwnerOps({
      me: { id: 1, count: 2 },
      handle: (op) => void handled.push(op),
      control: {
        me: { id: 1, count: 2 },
        status: () => Promise.resolve([]),
        flushAll: () => Promise.resolve([]),
        ask: <T>(op: string, args: unknown) => Promise.resolve([{ shard: 0, ok: true, result: { op, args } as T }]),
      },
    });
    ops.handle('owner.x', () => 1);
    expect(handled).toEqual(['owner.x']);
    expect(await ops.ask('owner.y', 2)).toEqual([{ shard: 0, ok: true, result: { op: 'owner.y', args: 2 } }]);
  });
});

describe("the owners' fine-tuning job asked of shard 0", () => {
  const control = (answers: ShardAnswer<unknown>[]) => ({
    me: { id: 1, count: 2 },
    status: () => Promise.resolve([]),
    flushAll: () => Promise.resolve([]),
    ask: <T>() => Promise.resolve(answers as ShardAnswer<T>[]),
  });
  const ops = (answers: ShardAnswer<unknown>[]) =>
    createOwnerOps({ me: { id: 1, count: 2 }, handle: () => undefined, control: control(answers) });

  test("shard 0's reply is used (the other shards decline); its chart comes back as PNG bytes", async () => {
    const r = await askOwnersJob(
      ops([
        { shard: 1, ok: true, result: { handled: false } },
        { shard: 0, ok: true, result: { handled: true, text: 'Loss curve', jobId: 'ftjob-1', png: Buffer.from('png').toString('base64') } },
      ]),
      { action: 'chart' },
    );
    expect(r).toEqual({ text: 'Loss curve', jobId: 'ftjob-1', png: Buffer.from('png') });
  });

  test('shard 0 not answering is a UserError naming it and why', async () => {
    const err = await askOwnersJob(ops([{ shard: 0, ok: false, error: 'no answer to owner.finetune within 15000 ms' }]), {
      action: 'status',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).identifier).toBe('ShardNotAnswering');
    expect((err as UserError).message).toContain('Shard 0 follows the bot owners');
    expect((err as UserError).message).toContain('no answer to owner.finetune within 15000 ms');
  });

  test('shard 0 on another host (several hosts): a UserError saying where to go, before anything starts', async () => {
    const err = await askOwnersJob(ops([{ shard: 1, ok: true, result: { handled: false } }]), { action: 'ping' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).identifier).toBe('ShardZeroElsewhere');
    expect((err as UserError).message).toContain('runs on another host');
  });

  test("shard 0's UserError keeps its identifier and text (the same reply as on shard 0)", async () => {
    const err = await askOwnersJob(
      ops([{ shard: 0, ok: true, result: { handled: true, text: '', error: 'No fine-tuning job yet.', errorId: 'NoJob' } }]),
      { action: 'status' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).identifier).toBe('NoJob');
  });

  test('a shard other than 0 declines owner.finetune; only shards other than 0 ask', () => {
    const handlers = new Map<string, (a: unknown) => unknown>();
    const one = createOwnerOps({ me: { id: 1, count: 2 }, handle: (op, fn) => void handlers.set(op, fn), control: control([]) });
    registerOwnersJob(one, { fineTune: null, follower: null });
    return Promise.resolve(handlers.get(OWNER_FINETUNE)!({ action: 'status' })).then((a) => {
      expect(a).toEqual({ handled: false });
      expect(ownersJobElsewhere(one)).toBe(true);
      expect(ownersJobElsewhere(createOwnerOps())).toBe(false);
    });
  });
});
