/** Read-mostly resources: gateway info, users, the application, channels, DMs, guilds, members. */
import type { EmuContext } from '../context.js';
import { GATEWAY_PATH } from '../gateway.js';
import { channelObject, currentUserObject, guildObject, memberObject, roleObject, userObject } from '../objects.js';
import { channelOf } from './access.js';
import { invalidForm, unknown } from './errors.js';
import type { EmuRequest, EmuResponse, Router } from './router.js';

const ok = (body: unknown): EmuResponse => ({ status: 200, body });

function gatewayBot(_req: EmuRequest, ctx: EmuContext): EmuResponse {
  return ok({
    url: `${ctx.httpBase().replace(/^http/, 'ws')}${GATEWAY_PATH}`,
    shards: ctx.shardCount?.() ?? 1,
    session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
  });
}

function application(_req: EmuRequest, ctx: EmuContext): EmuResponse {
  const bot = ctx.state.botUser;
  return ok({
    id: ctx.state.applicationId,
    name: bot.username,
    icon: null,
    description: '',
    type: null,
    bot: userObject(bot),
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    flags_new: '0',
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    owner: userObject(ctx.state.appOwner),
    approximate_guild_count: ctx.state.guilds.size,
    approximate_user_install_count: 0,
    approximate_user_authorization_count: 0,
    explicit_content_filter: 0,
    team: null,
    eligible_oauth2_scopes: ['bot', 'applications.commands'],
    integration_types_config: { '0': {} },
  });
}

function guildOf(ctx: EmuContext, guildId: string | undefined) {
  const guild = guildId ? ctx.state.guilds.get(guildId) : undefined;
  if (!guild) throw unknown('Guild');
  return guild;
}

function getGuild(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const guild = guildOf(ctx, req.params.guild_id);
  const counts =
    req.query.with_counts === 'true'
      ? { approximate_member_count: ctx.state.guildMembers(guild.id).length, approximate_presence_count: 0 }
      : {};
  return ok({ ...guildObject(ctx.state, guild), ...counts });
}

function getMember(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const guild = guildOf(ctx, req.params.guild_id);
  const member = ctx.state.member(guild.id, req.params.user_id ?? '');
  if (!member) throw unknown('Member');
  return ok(memberObject(ctx.state, member));
}

function listMembers(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const guild = guildOf(ctx, req.params.guild_id);
  const limit = Math.min(Math.max(Number(req.query.limit ?? 1) || 1, 1), 1000);
  const after = BigInt(req.query.after ?? '0');
  const members = ctx.state.guildMembers(guild.id).filter((m) => BigInt(m.userId) > after);
  members.sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1));
  return ok(members.slice(0, limit).map((m) => memberObject(ctx.state, m)));
}

function getUser(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const user = ctx.state.users.get(req.params.user_id ?? '');
  if (!user) throw unknown('User');
  return ok(userObject(user));
}

function createDm(req: EmuRequest, ctx: EmuContext): EmuResponse {
  const recipient = (req.body as { recipient_id?: unknown } | undefined)?.recipient_id;
  if (typeof recipient !== 'string' || !ctx.state.users.has(recipient)) {
    throw invalidForm('recipient_id', 'NUMBER_TYPE_COERCE', `Value "${String(recipient)}" is not snowflake.`);
  }
  return ok(channelObject(ctx.state, ctx.state.dmWith(recipient).channel));
}

export function resourceRoutes(r: Router): void {
  r.add('GET', '/gateway/bot', gatewayBot)
    .add('GET', '/gateway', (req, ctx) => ok({ url: (gatewayBot(req, ctx).body as { url: string }).url }), { auth: false })
    .add('GET', '/users/@me', (_req, ctx) => ok(currentUserObject(ctx.state.botUser)))
    .add('GET', '/users/{user_id}', getUser)
    .add('POST', '/users/@me/channels', createDm)
    .add('GET', '/applications/@me', application)
    .add('GET', '/channels/{channel_id}', (req, ctx) => ok(channelObject(ctx.state, channelOf(ctx, req.params.channel_id))))
    .add('GET', '/guilds/{guild_id}', getGuild)
    .add('GET', '/guilds/{guild_id}/channels', (req, ctx) =>
      ok(ctx.state.guildChannels(guildOf(ctx, req.params.guild_id).id).map((c) => channelObject(ctx.state, c))),
    )
    .add('GET', '/guilds/{guild_id}/roles', (req, ctx) =>
      ok(ctx.state.guildRoles(guildOf(ctx, req.params.guild_id).id).map((x) => roleObject(x, ctx.state.botUser.id))),
    )
    .add('GET', '/guilds/{guild_id}/members', listMembers)
    .add('GET', '/guilds/{guild_id}/members/{user_id}', getMember);
}
