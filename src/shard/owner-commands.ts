/**
 * The owners' cross-server command replies (`!datasets servers`, `!archive servers`): bot owners only, asked of
 * every shard (or of this process unsharded), merged the same way whichever shard or DM received the command.
 * The listings name every server: they are private replies (by DM from a server channel, ephemeral by slash).
 */
import type { CommandContext } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { formatServerArchives, formatServerDatasets } from './owner-format.js';
import type { OwnerOps } from './owner-ops.js';
import { ARCHIVE_TIMEOUT_MS, OWNER_ARCHIVE, OWNER_DATASETS, type ServerArchive, type ServerDatasets } from './server-data.js';
import { DEFAULT_FANOUT_TIMEOUT_MS } from './types.js';

function ownerOps(ctx: CommandContext, what: string): OwnerOps {
  if (!ctx.isOwner) throw new UserError('OwnerOnly', `Only the bot owner can ${what}.`);
  const ops = ctx.services.ownerOps;
  if (!ops) throw new UserError('NotAvailable', 'Cross-server commands are not available here.');
  return ops;
}

/** `!datasets servers`: every server's datasets (each shard lists its own servers within the fan-out bound). */
export async function serverDatasetsReply(ctx: CommandContext): Promise<void> {
  const ops = ownerOps(ctx, "list every server's datasets");
  const answers = await ops.ask<ServerDatasets[]>(OWNER_DATASETS, null, DEFAULT_FANOUT_TIMEOUT_MS);
  await ctx.reply({ content: formatServerDatasets(answers), private: true });
}

/** `!archive servers`: each shard zips its servers' datasets into guilds/<id>/archives/ (the files stay on the host). */
export async function serverArchivesReply(ctx: CommandContext): Promise<void> {
  const ops = ownerOps(ctx, "archive every server's datasets");
  const answers = await ops.ask<ServerArchive[]>(OWNER_ARCHIVE, null, ARCHIVE_TIMEOUT_MS);
  ctx.log.info({ shards: answers.map((a) => ({ shard: a.shard, ok: a.ok })) }, 'archived every server');
  await ctx.reply({ content: formatServerArchives(answers), private: true });
}
