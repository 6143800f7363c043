import type { CommandContext, PreconditionId } from './command.js';
import { FINE_TUNE_WORDS } from './privileged.js';

export type PreconditionResult = { ok: true } | { ok: false; identifier: PreconditionId; message: string };
type Check = (ctx: CommandContext) => PreconditionResult;

const ok: PreconditionResult = { ok: true };

const checks: Record<PreconditionId, Check> = {
  OwnerOnly: (ctx) => (ctx.isOwner ? ok : { ok: false, identifier: 'OwnerOnly', message: 'Only the bot owner can use this command.' }),
  AdminOnly: (ctx) => (ctx.isAdmin ? ok : { ok: false, identifier: 'AdminOnly', message: 'Only Eos admins can use this command.' }),
  GuildOnly: (ctx) => (ctx.guildId ? ok : { ok: false, identifier: 'GuildOnly', message: 'This command only works in a server.' }),
  /**
   * `!train start|cancel|use` spend the operator's money and change the model: bot owners only,
   * unless `training.fineTuneByServerAdmins` delegates them to server admins. Members fall through
   * to the command's own "Only Eos admins" reply; other `!train` forms are not affected.
   */
  FineTune: (ctx) => {
    const text = typeof ctx.args.text === 'string' ? ctx.args.text.trim() : '';
    if (!FINE_TUNE_WORDS.test(text) || ctx.isOwner || !ctx.isAdmin) return ok;
    if (ctx.services.config.bot.training.fineTuneByServerAdmins) return ok;
    return {
      ok: false,
      identifier: 'FineTune',
      message: "Fine-tuning spends the operator's money: only the bot owner can start, cancel or switch models.",
    };
  },
  /**
   * Commands on a tenant's files (datasets, archives, the active dataset): with per-server data they act on
   * the server's own data (its admins may); in DMs, or when one set is shared by all servers, owners only.
   */
  SharedData: (ctx) => {
    if (ctx.isOwner || (ctx.guildId && ctx.services.tenants)) return ok;
    const message = ctx.services.tenants
      ? "In DMs these commands reach the bot owners' data: only a bot owner can use them."
      : 'The datasets are shared by every server Eos is in: only the bot owner can do this.';
    return { ok: false, identifier: 'SharedData', message };
  },
  InVoice: (ctx) => (ctx.authorVoiceChannelId ? ok : { ok: false, identifier: 'InVoice', message: 'Join a voice channel first.' }),
};

/** Runs a command's preconditions in order; the first failure wins. */
export function runPreconditions(ctx: CommandContext, ids: readonly PreconditionId[]): PreconditionResult {
  for (const id of ids) {
    const result = checks[id](ctx);
    if (!result.ok) return result;
  }
  return ok;
}
