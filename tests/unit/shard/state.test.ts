/**
 * The shard's StateStore: guild settings go to guilds/<gid>/state.json only for guilds this shard owns (another
 * shard's guild is refused), users/training/DM channels go to the one global writer (here an in-process
 * GlobalHost, the manager's) and every shard's replica follows; entries left in the global file from before
 * sharding are read and moved into the guild file on its first write.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createGlobalHost, createReadOnlyGlobalHost, type GlobalHost } from '../../../src/shard/global-host.js';
import { guildStateFile, shardForGuild } from '../../../src/shard/ownership.js';
import { createShardStateStore, NotOwnerError, type GlobalLink, type GlobalSnapshot } from '../../../src/shard/state.js';

/** A guild id on shard `shard` of `count` (snowflake timestamp chosen). */
const guildOn = (shard: number, count: number, salt = 0) => String((BigInt(count * (100_000 + salt) + shard) << 22n) | 7n);

let dir: string;
let host: GlobalHost;
const link = (): GlobalLink => ({
  snapshot: async () => host.snapshot(),
  change: (c) => host.change(c),
  onSnapshot: (fn) => host.onChange(fn),
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'eos-shard-state-'));
  host = await createGlobalHost(path.join(dir, 'state', 'eos.json'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('shard state ownership', () => {
  test('guild ids are placed on the shard Discord uses: (id >> 22) % count', () => {
    expect(shardForGuild(guildOn(1, 2), 2)).toBe(1);
    expect(shardForGuild(guildOn(2, 3), 3)).toBe(2);
    expect(() => shardForGuild('../etc', 2)).toThrow(TypeError);
  });

  test("a shard writes its guild's file and refuses another shard's guild", async () => {
    const mine = guildOn(0, 2);
    const theirs = guildOn(1, 2);
    const s0 = await createShardStateStore({
      dataDir: dir,
      me: { id: 0, count: 2 },
      global: link(),
      guildOfChannel: (c) => (c === 'c-mine' ? mine : c === 'c-theirs' ? theirs : null),
    });
    await s0.setGuild(mine, { prefix: '?' });
    await s0.setChannel('c-mine', { temperature: 0.4 });
    await expect(s0.setGuild(theirs, { prefix: '$' })).rejects.toBeInstanceOf(NotOwnerError);
    await expect(s0.setChannel('c-theirs', { temperature: 1 })).rejects.toBeInstanceOf(NotOwnerError);
    await s0.flush();
    const file = JSON.parse(await readFile(guildStateFile(dir, mine), 'utf8')) as {
      guilds: Record<string, unknown>;
      channels: Record<string, unknown>;
    };
    expect(file.guilds[mine]).toEqual({ prefix: '?' });
    expect(file.channels['c-mine']).toEqual({ temperature: 0.4 });
    await expect(readFile(guildStateFile(dir, theirs))).rejects.toThrow();
    expect(s0.guild(mine).prefix).toBe('?');
  });

  test('global settings go through the one writer and reach every shard; bad values are RangeErrors', async () => {
    const s0 = await createShardStateStore({ dataDir: dir, me: { id: 0, count: 2 }, global: link(), guildOfChannel: () => null });
    const s1 = await createShardStateStore({ dataDir: dir, me: { id: 1, count: 2 }, global: link(), guildOfChannel: () => null });
    await s1.setUser('u1', { replyPrefix: '[x]' });
    await s1.setTraining({ chatModel: 'ft:model' });
    await s1.setChannel('dm-1', { temperature: 0.2 });
    expect(s0.user('u1').replyPrefix).toBe('[x]');
    expect(s0.training().chatModel).toBe('ft:model');
    expect(s0.channel('dm-1').temperature).toBe(0.2);
    await expect(s0.setChannel('dm-1', { temperature: 9 })).rejects.toThrow(/Invalid setting/);
    await host.flush();
    const global = JSON.parse(await readFile(path.join(dir, 'state', 'eos.json'), 'utf8')) as { users: Record<string, unknown> };
    expect(global.users.u1).toEqual({ replyPrefix: '[x]' });
  });

  test('update(fn) sends each changed entry to its owner', async () => {
    const g = guildOn(1, 2);
    const s1 = await createShardStateStore({ dataDir: dir, me: { id: 1, count: 2 }, global: link(), guildOfChannel: () => g });
    await s1.update((d) => {
      d.guilds[g] = { prefix: '%' };
      d.users.u2 = { replyPrefix: 'hey' };
      d.training.activeDataset = 'other';
    });
    expect(s1.guild(g).prefix).toBe('%');
    expect(host.snapshot().data.users.u2).toEqual({ replyPrefix: 'hey' });
    expect(host.snapshot().data.training.activeDataset).toBe('other');
    expect(host.snapshot().data.guilds[g]).toBeUndefined();
  });

  test('settings in the global file from before sharding are read, then moved into the guild file on first write', async () => {
    const g = guildOn(1, 2, 3);
    await rm(dir, { recursive: true, force: true });
    await mkdir(path.join(dir, 'state'), { recursive: true });
    await writeFile(
      path.join(dir, 'state', 'eos.json'),
      JSON.stringify({
        version: 1,
        guilds: { [g]: { prefix: '&' } },
        channels: { ch: { replyProbability: 0.5 } },
        users: {},
        training: {},
      }),
    );
    host = await createGlobalHost(path.join(dir, 'state', 'eos.json'));
    const s1 = await createShardStateStore({
      dataDir: dir,
      me: { id: 1, count: 2 },
      global: link(),
      guildOfChannel: (c) => (c === 'ch' ? g : null),
    });
    expect(s1.guild(g).prefix).toBe('&');
    expect(s1.channel('ch').replyProbability).toBe(0.5);
    await s1.setChannel('ch', { temperature: 1.1 });
    expect(s1.channel('ch')).toEqual({ replyProbability: 0.5, temperature: 1.1 });
    expect(s1.guild(g).prefix).toBe('&');
    // A new process (restart or reshard to the same owner) reads the guild file.
    const again = await createShardStateStore({ dataDir: dir, me: { id: 1, count: 2 }, global: link(), guildOfChannel: () => null });
    expect(again.channel('ch')).toEqual({ replyProbability: 0.5, temperature: 1.1 });
  });

  test('a host without shard 0 only reads the global file: changes are refused, a refresh pushes what shard 0 wrote', async () => {
    const file = path.join(dir, 'state', 'eos.json');
    await host.change({ kind: 'training', patch: { chatModel: 'first' } });
    await host.flush();
    const reader = await createReadOnlyGlobalHost(file);
    expect(reader.snapshot().data.training.chatModel).toBe('first');
    await expect(reader.change({ kind: 'user', id: 'u', patch: { replyPrefix: 'x' } })).rejects.toThrow(/host running shard 0/);
    const pushed: GlobalSnapshot[] = [];
    reader.onChange((s) => pushed.push(s));
    await reader.refresh();
    expect(pushed).toEqual([]);
    await host.change({ kind: 'training', patch: { chatModel: 'second' } });
    await host.flush();
    await reader.refresh();
    expect(pushed.map((s) => s.data.training.chatModel)).toEqual(['second']);
  });
});
