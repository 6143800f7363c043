/**
 * The shard side of sharding: the IPC peer to the manager, the shard's StateStore (guild files + global replica),
 * the answers this shard gives to the manager (status, flush), and the ShardControl commands use.
 * Built by src/shard/child.ts and handed to startEos as `shard`.
 */
import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import type { StateStore } from '../state/store.js';
import { UserError } from '../core/errors.js';
import { GLOBAL_ELSEWHERE } from './global-host.js';
import { IpcPeer, type Transport } from './ipc.js';
import type { ShardIdentity } from './ownership.js';
import { createShardStateStore, type GlobalChange, type GlobalLink, type GlobalSnapshot } from './state.js';
import { DEFAULT_FANOUT_TIMEOUT_MS, type ShardAnswer, type ShardControl, type ShardStatus } from './types.js';

/** What startEos needs from a sharded start (EosOptions.shard). */
export interface ShardHooks {
  readonly me: ShardIdentity;
  readonly control: ShardControl;
  createState(log: Logger): Promise<StateStore>;
  /** Answers `op` when any shard fans it out with ShardControl.ask (registered by the composition root). */
  handle(op: `owner.${string}`, fn: (args: unknown) => unknown): void;
  /** Called once the Discord client exists; `flush` writes what the app buffers (datasets, state). */
  attach(p: { client: Client | null; flush: () => Promise<void> }): void;
}

const IPC_TIMEOUT_MS = 10_000;

/** Our messages over the process IPC channel that discord.js's ShardingManager opened. */
export function processTransport(): Transport {
  return {
    send(msg) {
      if (!process.send || !process.connected) throw new Error('no IPC channel to the sharding manager');
      process.send(msg);
    },
    onMessage: (fn) => void process.on('message', fn),
  };
}

/** A global setting changed through a host that does not run shard 0 (several hosts): where to change it instead. */
export function globalElsewhere(): UserError {
  return new UserError(
    'GlobalSettingsElsewhere',
    "This server's shard runs on a host without shard 0, and bot-wide settings (reply prefixes, the chat model, the active dataset, fine-tuning) are changed on the host running shard 0: use a server of shard 0 or a DM.",
  );
}

function globalLink(peer: IpcPeer): GlobalLink {
  return {
    snapshot: () => peer.request<GlobalSnapshot>('state.snapshot', null, IPC_TIMEOUT_MS),
    change: async (c: GlobalChange) => {
      try {
        return await peer.request<GlobalSnapshot>('state.change', c, IPC_TIMEOUT_MS);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (msg.includes(GLOBAL_ELSEWHERE)) throw globalElsewhere();
        throw msg.startsWith('Invalid setting') ? new RangeError(msg) : err;
      }
    },
    onSnapshot: (fn) => peer.on('state.snapshot', (s) => fn(s as GlobalSnapshot)),
  };
}

export function createShardRuntime(p: {
  me: ShardIdentity;
  dataDir: string;
  transport: Transport;
  startedAt?: number;
}): ShardHooks & { peer: IpcPeer } {
  const peer = new IpcPeer(p.transport);
  const startedAt = p.startedAt ?? Date.now();
  let client: Client | null = null;
  let flush: () => Promise<void> = async () => undefined;

  const status = (): ShardStatus => {
    const mem = process.memoryUsage();
    return {
      id: p.me.id,
      pid: process.pid,
      ready: client?.isReady() ?? false,
      guilds: client?.guilds.cache.size ?? 0,
      pingMs: client ? Math.round(client.ws.ping) : -1,
      uptimeMs: Date.now() - startedAt,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
    };
  };
  peer.handle('status', () => status());
  peer.handle('flush', async () => {
    await flush();
    return true;
  });

  const fanout = <T>(op: string, timeoutMs: number, args: unknown = null) =>
    peer.request<ShardAnswer<T>[]>('fanout', { op, args, timeoutMs }, timeoutMs + 2000);

  const control: ShardControl = {
    me: p.me,
    status: (timeoutMs = DEFAULT_FANOUT_TIMEOUT_MS) => fanout<ShardStatus>('status', timeoutMs),
    flushAll: (timeoutMs = DEFAULT_FANOUT_TIMEOUT_MS) => fanout<boolean>('flush', timeoutMs),
    ask: <T>(op: `owner.${string}`, args: unknown, timeoutMs = DEFAULT_FANOUT_TIMEOUT_MS) => fanout<T>(op, timeoutMs, args),
  };

  return {
    peer,
    me: p.me,
    control,
    createState: (log) =>
      createShardStateStore({
        dataDir: p.dataDir,
        me: p.me,
        global: globalLink(peer),
        guildOfChannel: (cid) => {
          const ch = client?.channels.cache.get(cid);
          return ch && 'guildId' in ch && typeof ch.guildId === 'string' ? ch.guildId : null;
        },
        store: { logger: log },
      }),
    handle: (op, fn) => peer.handle(op, fn),
    attach(a) {
      client = a.client;
      flush = a.flush;
    },
  };
}
