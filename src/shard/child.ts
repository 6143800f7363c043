/**
 * Entry of one shard process, spawned by discord.js's ShardingManager (src/shard/manager.ts), which sets SHARDS,
 * SHARD_COUNT and SHARDING_MANAGER; discord.js's Client reads them itself and connects only this shard.
 * Logs go to logs/shard-<id>/. Stops cleanly (flushing everything) on the manager's `stop`, SIGTERM, SIGINT,
 * or when the manager goes away.
 */
import { loadConfig } from '../config.js';
import { startEos, type EosApp } from '../app.js';
import { shardLogDir } from './ownership.js';
import { createShardRuntime, processTransport } from './runtime.js';

async function main(): Promise<void> {
  const base = loadConfig();
  const me = base.sharding.child;
  if (!me || !base.discord.token)
    throw new Error('src/shard/child.ts is started by the sharding manager (npm start with EOS_SHARDS), not by hand');
  const config = { ...base, paths: { ...base.paths, logs: shardLogDir(base.paths.logs, me.id) } };
  const runtime = createShardRuntime({ me, dataDir: config.dataDir, transport: processTransport() });
  let app: EosApp | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      app?.log.info({ why, shard: me.id }, 'shard stopping');
      await app?.stop();
      setImmediate(() => process.exit(0));
    })());
  runtime.peer.handle('stop', async () => {
    await stop('manager');
    return true;
  });
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('disconnect', () => void stop('manager gone'));
  app = await startEos({ config, shard: runtime });
  app.log.info({ shard: me.id, count: me.count }, 'shard started');
  try {
    await app.ready;
  } catch (err) {
    app.log.fatal({ err }, 'shard could not connect to Discord');
    await app.stop();
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Eos shard failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
