import { ConfigError, loadConfig } from './config.js';
import { startEos } from './app.js';

/** `npm start`: runs Eos on Discord when DISCORD_TOKEN is set, else the local console. */
async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (config.sharding.shards !== null && config.discord.token) {
    // EOS_SHARDS set: discord.js's ShardingManager runs one Eos per shard (src/shard/manager.ts).
    const { runShardManager } = await import('./shard/manager.js');
    return runShardManager(config);
  }
  if (!config.discord.token) {
    process.stderr.write(
      'DISCORD_TOKEN is not set: starting the local console (type a message or a command such as !help; Ctrl-D exits).\n' +
        'To run on Discord, set DISCORD_TOKEN (see .env.example).\n',
    );
  }
  const app = await startEos({ config });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await app.ready;
  } catch (err) {
    app.log.fatal({ err }, 'could not connect to Discord');
    await app.stop();
    return 1;
  }
  await app.done;
  await app.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Eos failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
