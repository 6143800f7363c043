import path from 'node:path';

/** Guild IDs are snowflakes; anything else never names a folder. */
export const GUILD_ID = /^\d{15,25}$/;

/**
 * On-disk layout of tenants under EOS_DATA_DIR:
 *   guilds/<guildId>/datasets/<name>/…   that server's datasets (its active dataset and default `!train`
 *   guilds/<guildId>/archives/            kind are in state/eos.json under guilds.<guildId>)
 *   guilds/<guildId>/evaluations/         its `!test` results
 *   guilds/<guildId>/candidates.jsonl     its recent replies (feedback candidates; DMs: state/candidates.jsonl)
 *   guilds/<guildId>/privacy/contributions.jsonl   its `!forget me` index (DMs: state/privacy/)
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

/**
 * Which files this process writes (issue 13: one writer per file). Sharded, a shard owns the servers Discord
 * sends it ((id >> 22) % count) and shard 0 also owns the bot owners' tenant and DM/console data (Discord sends DMs
 * to shard 0 only). One unsharded process owns everything.
 */
export interface DataScope {
  /** Writes the owners' tenant (top-level datasets/, cache/, archives/, evaluations/) and DM data under state/. */
  ownsDms: boolean;
  ownsGuild(guildId: string): boolean;
}

export const WHOLE_BOT: DataScope = { ownsDms: true, ownsGuild: () => true };

/** Per-server files outside the datasets: the candidate journal and the `!forget me` index. */
export function guildDataFiles(dataDir: string, guildId: string) {
  const root = tenantPaths(dataDir, guildId).root;
  return { candidates: path.join(root, 'candidates.jsonl'), contributions: path.join(root, 'privacy', 'contributions.jsonl') };
}
