/**
 * `npm start` with EOS_SHARDS set: discord.js's own ShardingManager (process mode) runs one Eos per shard
 * (src/shard/child.ts), respawning a shard whose process dies. The manager is also the one writer of the global
 * state file (shards ask over IPC), answers cross-shard questions with a per-shard timeout, writes a status file
 * for `npm run cli -- shards`, and on SIGTERM/SIGINT stops every shard cleanly (each flushes) before exiting.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShardingManager, type Shard } from 'discord.js';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import { closeLogger, createLogger } from '../log.js';
import { createGlobalHost, createReadOnlyGlobalHost, type GlobalHost } from './global-host.js';
import { IpcPeer } from './ipc.js';
import { checkShardList, managerName, shardStatusFile } from './ownership.js';
import type { GlobalChange } from './state.js';
import type { ShardAnswer, ShardStatus } from './types.js';

export interface ManagerOptions {
  /** Extra node flags for shard processes (tests add a preload). */
  execArgv?: string[];
  statusIntervalMs?: number;
  /** Time a shard gets to stop and flush before it is killed. */
  stopTimeoutMs?: number;
}

/** Discord's recommended shard count from GET /gateway/bot (on the configured API, so a REST proxy works too). */
export async function recommendedShards(config: AppConfig): Promise<number> {
  const res = await fetch(`${config.discord.apiUrl}/v10/gateway/bot`, { headers: { Authorization: `Bot ${config.discord.token ?? ''}` } });
  if (!res.ok) throw new Error(`GET /gateway/bot answered ${res.status}`);
  const body = (await res.json()) as { shards?: unknown };
  if (typeof body.shards !== 'number' || !Number.isInteger(body.shards) || body.shards < 1)
    throw new Error('GET /gateway/bot gave no shard count');
  return body.shards;
}

/** The child entry next to this file: child.ts under tsx (needs the tsx loader), child.js when compiled. */
function childEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ts = here.endsWith('.ts');
  return { file: path.join(path.dirname(here), ts ? 'child.ts' : 'child.js'), execArgv: ts ? ['--import', 'tsx'] : [] };
}

/** Requests a shard may fan out to every shard (each shard answers those it registered with ShardHooks.handle). */
const FANOUT_OP = /^(status|flush|owner\.[a-z][\w.-]*)$/;

export class EosShardManager {
  readonly peers = new Map<number, IpcPeer>();
  readonly respawns = new Map<number, number>();
  private statusTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly manager: ShardingManager,
    readonly shardIds: number[],
    readonly count: number,
    private readonly global: GlobalHost,
    private readonly config: AppConfig,
    readonly log: Logger,
    private readonly opts: ManagerOptions,
  ) {
    manager.on('shardCreate', (shard) => this.wire(shard));
    global.onChange((s) => {
      for (const peer of this.peers.values()) peer.emit('state.snapshot', s);
    });
  }

  private wire(shard: Shard): void {
    const peer = new IpcPeer({
      send: (msg) => {
        if (!shard.process) throw new Error(`shard ${shard.id} is not running`);
        void shard.send(msg).catch(() => undefined);
      },
      onMessage: (fn) => void shard.on('message', fn),
    });
    this.peers.set(shard.id, peer);
    peer.handle('state.snapshot', () => this.global.snapshot());
    peer.handle('state.change', (c) => this.global.change(c as GlobalChange));
    peer.handle('fanout', (a) => {
      const { op, args, timeoutMs } = a as { op: string; args?: unknown; timeoutMs: number };
      if (typeof op !== 'string' || !FANOUT_OP.test(op)) throw new Error(`not a fan-out request: ${String(op)}`);
      return this.fanout(op, Math.min(Math.max(timeoutMs, 100), 120_000), args ?? null);
    });
    shard.on('death', (proc) => {
      peer.failAll(`shard ${shard.id} died`);
      const code = 'exitCode' in proc ? proc.exitCode : null;
      if (!this.stopping) this.respawns.set(shard.id, (this.respawns.get(shard.id) ?? 0) + 1);
      this.log.warn({ shard: shard.id, code, respawn: !this.stopping }, 'shard process exited');
    });
    shard.on('spawn', (proc) => this.log.info({ shard: shard.id, pid: 'pid' in proc ? proc.pid : undefined }, 'shard spawned'));
    shard.on('ready', () => this.log.info({ shard: shard.id }, 'shard ready'));
    shard.on('error', (err) => this.log.error({ err, shard: shard.id }, 'shard error'));
  }

  /** Asks every shard of this host; each answers within timeoutMs or is reported as not answering. */
  async fanout<T = unknown>(op: string, timeoutMs: number, args: unknown = null): Promise<ShardAnswer<T>[]> {
    return Promise.all(
      this.shardIds.map(async (id): Promise<ShardAnswer<T>> => {
        const shard = this.manager.shards.get(id);
        const peer = this.peers.get(id);
        if (!shard?.process || !peer) return { shard: id, ok: false, error: 'not running' };
        try {
          return { shard: id, ok: true, result: await peer.request<T>(op, args, timeoutMs) };
        } catch (err) {
          return { shard: id, ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  /** `starting` (before the shards are up) and `running` tell the CLI a bot writes this data folder (src/shard/run-file.ts). */
  async writeStatus(state: 'starting' | 'running' | 'stopped' = 'running'): Promise<void> {
    const shards = state === 'running' ? await this.fanout<ShardStatus>('status', 3000) : [];
    const file = shardStatusFile(this.config.dataDir, managerName(hostname(), this.shardIds, this.count));
    const body = {
      host: hostname(),
      managerPid: process.pid,
      state,
      count: this.count,
      shardIds: this.shardIds,
      updatedAt: new Date().toISOString(),
      respawns: Object.fromEntries(this.respawns),
      shards,
    };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(body, null, 2));
    await rename(`${file}.tmp`, file);
  }

  startStatus(intervalMs: number): void {
    const tick = () => {
      void this.global.refresh().catch(() => undefined);
      void this.writeStatus().catch((err: unknown) => this.log.warn({ err }, 'status file not written'));
    };
    tick();
    this.statusTimer = setInterval(tick, intervalMs);
    this.statusTimer.unref();
  }

  /** Stops every shard (each flushes and exits), then flushes the global state. No respawn after this. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      if (this.statusTimer) clearInterval(this.statusTimer);
      this.manager.respawn = false;
      const timeout = this.opts.stopTimeoutMs ?? 20_000;
      await Promise.all([...this.manager.shards.values()].map((shard) => this.stopShard(shard, timeout)));
      await this.global.flush();
      await this.writeStatus('stopped').catch(() => undefined);
      this.log.info('all shards stopped');
    })());
  }

  private async stopShard(shard: Shard, timeoutMs: number): Promise<void> {
    const proc = shard.process;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    await this.peers
      .get(shard.id)
      ?.request('stop', null, timeoutMs)
      .catch((err: unknown) => this.log.warn({ err, shard: shard.id }, 'shard did not confirm stop'));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** Runs the sharded bot until SIGTERM/SIGINT; resolves with the process exit code. */
export async function runShardManager(config: AppConfig, opts: ManagerOptions = {}): Promise<number> {
  const count = config.sharding.shards === 'auto' ? await recommendedShards(config) : (config.sharding.shards ?? 1);
  const shardIds = checkShardList(config.sharding.shardIds ?? [...Array(count).keys()], count);
  const name = managerName(hostname(), shardIds, count);
  const log = createLogger({
    level: config.logLevel,
    logDir: path.join(config.paths.logs, shardIds.length === count ? 'manager' : `manager-${name}`),
    secrets: config.secrets(),
  });
  // The manager running shard 0 is the one writer of the global state; other hosts' managers only read it.
  const global = shardIds.includes(0)
    ? await createGlobalHost(config.paths.state, { logger: log.child({ component: 'global-state' }) })
    : await createReadOnlyGlobalHost(config.paths.state);
  const entry = childEntry();
  const manager = new ShardingManager(entry.file, {
    totalShards: count,
    shardList: shardIds,
    mode: 'process',
    respawn: true,
    token: config.discord.token ?? undefined,
    // Shards inherit this process's node flags (e.g. tsx's loader, test preloads); tsx is added when missing.
    execArgv: [...process.execArgv, ...(process.execArgv.some((f) => f.includes('tsx')) ? [] : entry.execArgv), ...(opts.execArgv ?? [])],
  });
  const eos = new EosShardManager(manager, shardIds, count, global, config, log, opts);
  log.info({ count, shardIds, host: hostname() }, 'starting shards');
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'stopping all shards');
      void eos.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  await eos.writeStatus('starting').catch((err: unknown) => log.warn({ err }, 'status file not written'));
  try {
    if (config.sharding.spawnDelayMs > 0) await manager.spawn({ amount: count, delay: config.sharding.spawnDelayMs, timeout: 120_000 });
    // No spacing needed (max_concurrency allows it, or a local emulator): start every shard at once instead of each
    // waiting for the previous one's READY as ShardingManager#spawn does.
    else await Promise.all(shardIds.map((id) => manager.createShard(id).spawn(120_000)));
  } catch (err) {
    log.fatal({ err }, 'could not start the shards');
    await eos.stop();
    await closeLogger(log);
    return 1;
  }
  log.info({ count, shardIds }, 'all shards ready');
  eos.startStatus(opts.statusIntervalMs ?? 10_000);
  const code = await stopped;
  await closeLogger(log);
  return code;
}
