/**
 * Emulator self-test of gateway sharding: /gateway/bot reports the shard count, IDENTIFY's `shard` is validated
 * (4010 invalid, 4011 sharding required), and each guild reaches only the shard `(guild_id >> 22) % count`,
 * DMs only shard 0 — checked with real discord.js clients, one per shard, and with a raw socket.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Client, GatewayIntentBits, Partials, type Message } from 'discord.js';
import { WebSocket } from 'ws';
import { createDiscordContract, startDiscordEmulator, type DiscordEmulator, type EmuGuild } from '../emulator/index.js';
import { shardOfGuild } from '../emulator/gateway-shards.js';

const contract = createDiscordContract();
const intents = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

let emu: DiscordEmulator;
let clients: Client[];

beforeEach(async () => {
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 300, contract, shards: 2 });
  clients = [];
});
afterEach(async () => {
  for (const c of clients) await c.destroy();
  await emu.close();
  expect(emu.contractViolations).toEqual([]);
});

async function loginShard(shard: number, count: number): Promise<{ client: Client<true>; seen: Message[] }> {
  const client = new Client({ intents, partials: [Partials.Channel], shards: [shard], shardCount: count, rest: { api: emu.restBase } });
  clients.push(client);
  const seen: Message[] = [];
  client.on('messageCreate', (m) => void seen.push(m));
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  await client.login(emu.token);
  await ready;
  return { client: client as Client<true>, seen };
}

/** Opens a raw gateway socket, identifies with `shard`, and resolves with the close code (or 0 when READY came). */
async function rawIdentify(shard: unknown): Promise<number> {
  const info = (await (await fetch(`${emu.restBase}/v10/gateway/bot`, { headers: { Authorization: `Bot ${emu.token}` } })).json()) as {
    url: string;
  };
  const ws = new WebSocket(`${info.url}?v=10&encoding=json`);
  return new Promise<number>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('close', (code) => resolve(code));
    ws.on('message', (raw) => {
      const p = JSON.parse(String(raw)) as { op: number; t?: string };
      if (p.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: emu.token, intents: 1, properties: {}, shard } }));
      if (p.t === 'READY') {
        ws.close(1000);
        resolve(0);
      }
    });
  });
}

describe('gateway sharding', () => {
  test('GET /gateway/bot reports the configured shard count, and setShardCount changes it', async () => {
    const get = async () =>
      (
        (await (await fetch(`${emu.restBase}/v10/gateway/bot`, { headers: { Authorization: `Bot ${emu.token}` } })).json()) as {
          shards: number;
        }
      ).shards;
    expect(await get()).toBe(2);
    emu.setShardCount(4);
    expect(await get()).toBe(4);
  });

  test('IDENTIFY shard is validated: out of range or malformed is 4010, fewer shards than required is 4011', async () => {
    expect(await rawIdentify([2, 2])).toBe(4010);
    expect(await rawIdentify([-1, 2])).toBe(4010);
    expect(await rawIdentify('0,2')).toBe(4010);
    emu.setShardCount(2, 2);
    expect(await rawIdentify([0, 1])).toBe(4011);
    expect(await rawIdentify(undefined)).toBe(4011);
    expect(await rawIdentify([1, 2])).toBe(0);
  });

  test('createGuild({shard}) picks ids of that shard', () => {
    for (const [id, count] of [
      [0, 2],
      [1, 2],
      [2, 3],
      [3, 4],
    ] as const) {
      const g = emu.createGuild({ name: `g${id}`, shard: [id, count] });
      expect(shardOfGuild(g.id, count)).toBe(id);
    }
  });

  test('each guild reaches only its shard (READY, GUILD_CREATE, messages); DMs reach shard 0 only', async () => {
    const alice = emu.createUser({ username: 'alice' });
    const guilds: EmuGuild[] = [
      emu.createGuild({ name: 'A', shard: [0, 2] }),
      emu.createGuild({ name: 'B', shard: [1, 2] }),
      emu.createGuild({ name: 'C', shard: [0, 2] }),
    ];
    const channels = guilds.map((g) => {
      emu.addMember(g.id, alice.id);
      return emu.createChannel({ guildId: g.id, name: 'general' });
    });
    const s0 = await loginShard(0, 2);
    const s1 = await loginShard(1, 2);
    expect([...s0.client.guilds.cache.keys()].sort()).toEqual([guilds[0]!.id, guilds[2]!.id].sort());
    expect([...s1.client.guilds.cache.keys()]).toEqual([guilds[1]!.id]);
    // A shard may identify again after a reconnect on a loaded machine; what matters is which shards identified.
    expect([...new Set(emu.identifiedShards.map((s) => s.join('/')))].sort()).toEqual(['0/2', '1/2']);

    channels.forEach((c, i) => emu.userSays({ channelId: c.id, userId: alice.id, content: `hello ${i}` }));
    const dm = emu.createDM(alice.id);
    emu.userSays({ channelId: dm.id, userId: alice.id, content: 'a dm' });
    await emu.waitFor(() => s0.seen.length === 3 && s1.seen.length === 1, { label: '3 messages on shard 0, 1 on shard 1' });
    expect(s0.seen.map((m) => m.content).sort()).toEqual(['a dm', 'hello 0', 'hello 2']);
    expect(s1.seen.map((m) => m.content)).toEqual(['hello 1']);

    // A guild created while both shards are connected goes to its shard only.
    const late = emu.createGuild({ name: 'D', shard: [1, 2] });
    await emu.waitFor(() => s1.client.guilds.cache.has(late.id), { label: 'GUILD_CREATE on shard 1' });
    expect(s0.client.guilds.cache.has(late.id)).toBe(false);
    expect(emu.shardMisroutes).toEqual([]);
  });

  test('dropGateway({shard}) drops one shard; it resumes and gets what it missed, the other shard is untouched', async () => {
    const alice = emu.createUser({ username: 'alice' });
    const a = emu.createGuild({ name: 'A', shard: [0, 2] });
    const b = emu.createGuild({ name: 'B', shard: [1, 2] });
    emu.addMember(a.id, alice.id);
    emu.addMember(b.id, alice.id);
    const ca = emu.createChannel({ guildId: a.id, name: 'a' });
    const cb = emu.createChannel({ guildId: b.id, name: 'b' });
    const s0 = await loginShard(0, 2);
    const s1 = await loginShard(1, 2);
    emu.dropGateway({ shard: 1 });
    emu.userSays({ channelId: cb.id, userId: alice.id, content: 'while away' });
    emu.userSays({ channelId: ca.id, userId: alice.id, content: 'shard 0 stays' });
    await emu.waitFor(() => s1.seen.length === 1 && s0.seen.length === 1, { label: 'both messages', timeoutMs: 10_000 });
    expect(emu.resumes).toBe(1);
    expect(s1.seen[0]?.content).toBe('while away');
    expect(emu.connected()).toBe(true);
    expect(emu.shardMisroutes).toEqual([]);
  });

  test('voice op 4 for a guild of another shard is refused and recorded', async () => {
    const a = emu.createGuild({ name: 'A', shard: [0, 2] });
    const b = emu.createGuild({ name: 'B', shard: [1, 2] });
    const vb = emu.createChannel({ guildId: b.id, name: 'voice', type: 2 });
    const s0 = await loginShard(0, 2);
    s0.client.ws.shards.get(0)?.send({ op: 4, d: { guild_id: b.id, channel_id: vb.id, self_mute: false, self_deaf: true } });
    await emu.waitFor(() => emu.shardMisroutes.length > 0, { label: 'misroute recorded' });
    expect(emu.shardMisroutes[0]).toMatchObject({ t: 'op 4 VOICE_STATE_UPDATE', guildId: b.id, shard: [0, 2] });
    expect(emu.voiceStateUpdates).toEqual([]);
    expect(a.id).not.toBe(b.id);
  });
});
