/** A user triggers an interaction: slash/context-menu command (2), component (3) or modal submit (5). */
import { randomBytes } from 'node:crypto';
import type { EmuContext } from './context.js';
import { channelObject, memberObject, memberPermissions, roleObject, userObject, type Json } from './objects.js';
import { messageObject } from './objects-message.js';
import type { EmuInteraction } from './types.js';

export interface InteractionParams {
  name: string;
  userId: string;
  channelId: string;
  guildId?: string;
  /** Command options as Discord sends them ({ name, type, value } or nested for subcommands). */
  options?: { name: string; type: number; value?: unknown; options?: unknown[] }[];
  type?: 2 | 3 | 5;
  customId?: string;
  /** Component/modal: the message carrying the component; type 2: makes it a message context-menu command. */
  targetMessageId?: string;
  /** Modal submit: the submitted components. */
  components?: unknown;
  /** Component interactions: component type (default 2 = button) and select values. */
  componentType?: number;
  values?: string[];
}

function commandId(ctx: EmuContext, name: string, guildId: string | null): string {
  const lists = [...(guildId ? (ctx.state.rec.commands.guild[guildId] ?? []) : []), ...ctx.state.rec.commands.global];
  const found = (lists as Json[]).find((c) => c.name === name);
  return typeof found?.id === 'string' ? found.id : ctx.state.ids.next();
}

/** `resolved` for user (6), channel (7) and role (8) options, as Discord includes it. */
function resolvedFor(ctx: EmuContext, options: InteractionParams['options'], guildId: string | null): Json | undefined {
  const users: Json = {};
  const members: Json = {};
  const channels: Json = {};
  const roles: Json = {};
  for (const o of options ?? []) {
    const id = String(o.value);
    const user = o.type === 6 ? ctx.state.users.get(id) : undefined;
    if (user) users[id] = userObject(user);
    const member = user && guildId ? ctx.state.member(guildId, id) : undefined;
    if (member && guildId)
      members[id] = { ...memberObject(ctx.state, member, false), permissions: memberPermissions(ctx.state, guildId, id) };
    const channel = o.type === 7 ? ctx.state.channels.get(id) : undefined;
    if (channel) channels[id] = { ...channelObject(ctx.state, channel), permissions: '0' };
    const role = o.type === 8 ? ctx.state.roles.get(id) : undefined;
    if (role) roles[id] = roleObject(role, ctx.state.botUser.id);
  }
  const parts = Object.entries({ users, members, channels, roles }).filter(([, v]) => Object.keys(v).length > 0);
  return parts.length > 0 ? Object.fromEntries(parts) : undefined;
}

function dataFor(ctx: EmuContext, p: InteractionParams, type: number, guildId: string | null): Json {
  if (type === 3) {
    return { custom_id: p.customId ?? p.name, component_type: p.componentType ?? 2, ...(p.values ? { values: p.values } : {}) };
  }
  if (type === 5) return { custom_id: p.customId ?? p.name, components: p.components ?? [] };
  const target = p.targetMessageId ? ctx.state.messagesById.get(p.targetMessageId) : undefined;
  const resolved = target ? { messages: { [target.id]: messageObject(ctx.state, target, false) } } : resolvedFor(ctx, p.options, guildId);
  return {
    id: commandId(ctx, p.name, guildId),
    name: p.name,
    type: target ? 3 : 1,
    ...(p.options && !target ? { options: p.options } : {}),
    ...(guildId ? { guild_id: guildId } : {}),
    ...(target ? { target_id: target.id } : {}),
    ...(resolved ? { resolved } : {}),
  };
}

function targetMessage(ctx: EmuContext, p: InteractionParams, type: number): string | null {
  if (p.targetMessageId) {
    if (!ctx.state.message(p.channelId, p.targetMessageId)) throw new Error(`emulator: no message ${p.targetMessageId} in ${p.channelId}`);
    return p.targetMessageId;
  }
  if (type !== 3) return null;
  const last = (ctx.state.messagesByChannel.get(p.channelId) ?? []).filter((m) => m.fromBot && !m.deleted).at(-1);
  if (!last) throw new Error('emulator: a component interaction needs targetMessageId (no bot message in the channel)');
  return last.id;
}

export function triggerInteraction(ctx: EmuContext, p: InteractionParams): EmuInteraction {
  const type = p.type ?? 2;
  const channel = ctx.state.channel(p.channelId);
  const guildId = p.guildId ?? channel.guildId;
  const user = ctx.state.user(p.userId);
  const member = guildId ? ctx.state.member(guildId, p.userId) : undefined;
  if (guildId && !member) throw new Error(`emulator: user ${p.userId} is not a member of guild ${guildId}`);
  const i: EmuInteraction = {
    id: ctx.state.ids.next(),
    token: `emu-${randomBytes(32).toString('base64url')}`,
    type,
    name: p.name,
    userId: user.id,
    channelId: channel.id,
    guildId,
    createdAt: Date.now(),
    messageId: targetMessage(ctx, p, type),
    callbackType: null,
    originalMessageId: null,
    followupIds: [],
  };
  ctx.state.interactions.set(i.id, i);
  const target = type !== 2 && i.messageId ? ctx.state.messagesById.get(i.messageId) : undefined;
  ctx.gateway.dispatch('INTERACTION_CREATE', {
    id: i.id,
    application_id: ctx.state.applicationId,
    type,
    token: i.token,
    version: 1,
    data: dataFor(ctx, p, type, guildId),
    channel_id: channel.id,
    channel: channelObject(ctx.state, channel),
    ...(guildId && member
      ? {
          guild_id: guildId,
          guild: { id: guildId, locale: 'en-US', features: [] },
          guild_locale: 'en-US',
          member: { ...memberObject(ctx.state, member), permissions: memberPermissions(ctx.state, guildId, user.id) },
        }
      : { user: userObject(user) }),
    ...(target ? { message: messageObject(ctx.state, target, false) } : {}),
    app_permissions: guildId ? memberPermissions(ctx.state, guildId, ctx.state.botUser.id) : '0',
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: guildId ? { '0': guildId } : { '1': user.id },
    context: guildId ? 0 : 1,
    attachment_size_limit: 10 * 1024 * 1024,
  });
  return i;
}
