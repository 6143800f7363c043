import path from 'node:path';

/** Guild IDs are snowflakes; anything else never names a folder. */
export const GUILD_ID = /^\d{15,25}$/;

/**
 * On-disk layout of tenants under EOS_DATA_DIR:
 *   guilds/<guildId>/datasets/<name>/…   that server's datasets (its active dataset and default `!train`
 *   guilds/<guildId>/archives/            kind are in state/eos.json under guilds.<guildId>)
 *   guilds/<guildId>/evaluations/         its `!test` results
 *   datasets/ archives/ evaluations/      the bot owners' tenant: DMs, the console and the CLI
 *   conversations/<guildId>_<channel>.jsonl, audit/<guildId>.jsonl   already one file per server
 */
export function tenantPaths(dataDir: string, guildId: string) {
  if (!GUILD_ID.test(guildId)) throw new TypeError(`not a guild id: ${JSON.stringify(guildId)}`);
  const root = path.join(dataDir, 'guilds', guildId);
  return {
    root,
    datasets: path.join(root, 'datasets'),
    archives: path.join(root, 'archives'),
    evaluations: path.join(root, 'evaluations'),
  };
}
