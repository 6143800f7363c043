/** Application commands: bulk overwrite (PUT), create (POST), list (GET), get/delete one; global and per guild. */
import type { EmuContext } from '../context.js';
import { errors, invalidForm, unknown } from './errors.js';
import type { EmuRequest, EmuResponse, Router } from './router.js';

type Command = Record<string, unknown>;
const G = '/applications/{application_id}/commands';
const L = '/applications/{application_id}/guilds/{guild_id}/commands';

/** The list a request addresses (global or one guild's), after checking the application id. */
function listFor(req: EmuRequest, ctx: EmuContext): { list: Command[]; guildId: string | null } {
  if (req.params.application_id !== ctx.state.applicationId) throw errors.missingAccess();
  const cmds = ctx.state.rec.commands;
  const guildId = req.params.guild_id ?? null;
  if (guildId === null) return { list: cmds.global as Command[], guildId };
  if (!ctx.state.guilds.has(guildId)) throw unknown('Guild');
  cmds.guild[guildId] ??= [];
  return { list: cmds.guild[guildId] as Command[], guildId };
}

function toCommand(ctx: EmuContext, input: unknown, guildId: string | null, prev?: Command): Command {
  const c = (input ?? {}) as Command;
  const type = typeof c.type === 'number' ? c.type : 1;
  if (typeof c.name !== 'string' || c.name.length === 0 || c.name.length > 32) {
    throw invalidForm('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
  }
  if (type === 1 && !/^[-_'\p{L}\p{N}]{1,32}$/u.test(c.name)) {
    throw invalidForm('name', 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
  return {
    id: prev?.id ?? ctx.state.ids.next(),
    application_id: ctx.state.applicationId,
    version: ctx.state.ids.next(),
    // Requests may give the permission bits as an integer (the OpenAPI request schema); Discord answers with a string.
    default_member_permissions: c.default_member_permissions == null ? null : String(c.default_member_permissions),
    type,
    name: c.name,
    description: typeof c.description === 'string' ? c.description : '',
    ...(guildId ? { guild_id: guildId } : { dm_permission: c.dm_permission ?? true }),
    ...(c.name_localizations ? { name_localizations: c.name_localizations } : {}),
    ...(c.description_localizations ? { description_localizations: c.description_localizations } : {}),
    contexts: c.contexts ?? null,
    integration_types: c.integration_types ?? [0],
    options: Array.isArray(c.options) ? c.options : [],
    nsfw: c.nsfw === true,
  };
}

const sameCommand = (a: Command, b: Command): boolean => a.name === b.name && (a.type ?? 1) === (b.type ?? 1);

function bulkOverwrite(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const { list, guildId } = listFor(req, ctx);
  if (!Array.isArray(req.body)) throw invalidForm('_root', 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
  const next = req.body.map((c) =>
    toCommand(
      ctx,
      c,
      guildId,
      list.find((old) => sameCommand(old, toCommand(ctx, c, guildId))),
    ),
  );
  list.splice(0, list.length, ...next);
  return { status: 200, body: next };
}

function create(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const { list, guildId } = listFor(req, ctx);
  const draft = toCommand(ctx, req.body, guildId);
  const index = list.findIndex((old) => sameCommand(old, draft));
  const cmd = toCommand(ctx, req.body, guildId, list[index]);
  if (index >= 0) list[index] = cmd;
  else list.push(cmd);
  return { status: index >= 0 ? 200 : 201, body: cmd };
}

function one(req: EmuRequest, ctx: EmuContext): { list: Command[]; index: number } {
  const { list } = listFor(req, ctx);
  const index = list.findIndex((c) => c.id === req.params.command_id);
  if (index < 0) throw unknown('Application Command');
  return { list, index };
}

export function commandRoutes(r: Router): void {
  for (const base of [G, L]) {
    r.add('GET', base, (req, ctx) => ({ status: 200, body: listFor(req, ctx).list }))
      .add('PUT', base, bulkOverwrite)
      .add('POST', base, create)
      .add('GET', `${base}/{command_id}`, (req, ctx) => {
        const { list, index } = one(req, ctx);
        return { status: 200, body: list[index] };
      })
      .add('DELETE', `${base}/{command_id}`, (req, ctx) => {
        const { list, index } = one(req, ctx);
        list.splice(index, 1);
        return { status: 204 };
      });
  }
}
