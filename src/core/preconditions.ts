import type { CommandContext, PreconditionId } from './command.js';

export type PreconditionResult = { ok: true } | { ok: false; identifier: PreconditionId; message: string };
type Check = (ctx: CommandContext) => PreconditionResult;

const ok: PreconditionResult = { ok: true };

const checks: Record<PreconditionId, Check> = {
  OwnerOnly: (ctx) =>
    ctx.isOwner ? ok : { ok: false, identifier: 'OwnerOnly', message: 'Only the bot owner can use this command.' },
  AdminOnly: (ctx) =>
    ctx.isAdmin ? ok : { ok: false, identifier: 'AdminOnly', message: 'Only Eos admins can use this command.' },
  GuildOnly: (ctx) =>
    ctx.guildId ? ok : { ok: false, identifier: 'GuildOnly', message: 'This command only works in a server.' },
  InVoice: (ctx) =>
    ctx.authorVoiceChannelId
      ? ok
      : { ok: false, identifier: 'InVoice', message: 'Join a voice channel first.' },
};

/** Runs a command's preconditions in order; the first failure wins. */
export function runPreconditions(ctx: CommandContext, ids: readonly PreconditionId[]): PreconditionResult {
  for (const id of ids) {
    const result = checks[id](ctx);
    if (!result.ok) return result;
  }
  return ok;
}
