/** Builders that turn emulator state into Discord API v10 JSON objects (users, roles, members, channels, guilds). */
import type { EmuState } from './state.js';
import type { EmuChannel, EmuGuild, EmuMember, EmuRole, EmuUser } from './types.js';

export type Json = Record<string, unknown>;

export function userObject(u: EmuUser): Json {
  return {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.globalName,
    avatar: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
    banner: null,
    accent_color: null,
    public_flags: 0,
    flags: 0,
    ...(u.bot ? { bot: true } : {}),
  };
}

/** GET /users/@me: the bot user with the private fields. */
export function currentUserObject(u: EmuUser): Json {
  return { ...userObject(u), mfa_enabled: false, locale: 'en-US', premium_type: 0, verified: true, email: null };
}

export function roleObject(r: EmuRole, botId: string): Json {
  return {
    id: r.id,
    name: r.name,
    color: r.color,
    colors: { primary_color: r.color, secondary_color: null, tertiary_color: null },
    hoist: r.hoist,
    icon: null,
    unicode_emoji: null,
    position: r.position,
    permissions: r.permissions,
    managed: r.managed,
    mentionable: r.mentionable,
    flags: 0,
    ...(r.managed ? { tags: { bot_id: botId } } : {}),
  };
}

/** A guild member; `withUser` false gives the partial member that MESSAGE_CREATE carries. */
export function memberObject(state: EmuState, m: EmuMember, withUser = true): Json {
  return {
    ...(withUser ? { user: userObject(state.user(m.userId)) } : {}),
    nick: m.nick,
    avatar: null,
    banner: null,
    roles: [...m.roles],
    joined_at: m.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
}

/** Computed guild-level permissions of a member (owner and ADMINISTRATOR get everything), as a decimal string. */
export function memberPermissions(state: EmuState, guildId: string, userId: string): string {
  const guild = state.guild(guildId);
  const all = (1n << 53n) - 1n;
  if (guild.ownerId === userId) return all.toString();
  const member = state.member(guildId, userId);
  const ids = [guildId, ...(member?.roles ?? [])];
  const perms = ids.reduce((acc, id) => acc | BigInt(state.roles.get(id)?.permissions ?? '0'), 0n);
  return (perms & 8n) === 8n ? all.toString() : perms.toString();
}

export function channelObject(state: EmuState, c: EmuChannel): Json {
  const common = { id: c.id, type: c.type, last_message_id: c.lastMessageId, flags: 0, last_pin_timestamp: null };
  if (c.type === 1) {
    return { ...common, recipients: c.recipientIds.map((id) => userObject(state.user(id))) };
  }
  const guildPart = {
    guild_id: c.guildId,
    name: c.name,
    position: c.position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    rate_limit_per_user: 0,
  };
  if (c.type === 2) {
    return { ...common, ...guildPart, bitrate: 64000, user_limit: 0, rtc_region: null, video_quality_mode: 1 };
  }
  return { ...common, ...guildPart, topic: null, default_auto_archive_duration: 1440 };
}

/** Guild fields the emulator never varies (a fresh, unboosted community-less guild). */
const GUILD_DEFAULTS = {
  icon: null,
  description: null,
  home_header: null,
  splash: null,
  discovery_splash: null,
  features: [],
  banner: null,
  application_id: null,
  region: 'deprecated',
  afk_channel_id: null,
  afk_timeout: 300,
  system_channel_id: null,
  system_channel_flags: 0,
  widget_enabled: false,
  widget_channel_id: null,
  verification_level: 0,
  default_message_notifications: 0,
  mfa_level: 0,
  explicit_content_filter: 0,
  max_presences: null,
  max_members: 250000,
  max_stage_video_channel_users: 50,
  max_video_channel_users: 25,
  vanity_url_code: null,
  premium_tier: 0,
  premium_subscription_count: 0,
  preferred_locale: 'en-US',
  rules_channel_id: null,
  safety_alerts_channel_id: null,
  public_updates_channel_id: null,
  premium_progress_bar_enabled: false,
  nsfw: false,
  nsfw_level: 0,
  emojis: [],
  stickers: [],
  incidents_data: null,
} as const;

/** The guild as GET /guilds/{id} returns it. */
export function guildObject(state: EmuState, g: EmuGuild): Json {
  return {
    ...GUILD_DEFAULTS,
    id: g.id,
    name: g.name,
    owner_id: g.ownerId,
    roles: state.guildRoles(g.id).map((r) => roleObject(r, state.botUser.id)),
  };
}

/** The guild as the GUILD_CREATE dispatch carries it: channels, members (bot included), roles, voice states. */
export function guildCreatePayload(state: EmuState, g: EmuGuild): Json {
  const members = state.guildMembers(g.id);
  const botMember = state.member(g.id, state.botUser.id);
  const voiceStates = [...state.voiceStates.values()]
    .filter((v) => v.guildId === g.id && v.channelId !== null)
    .map((v) => voiceStateObject(state, v));
  return {
    ...guildObject(state, g),
    joined_at: botMember?.joinedAt ?? new Date(g.createdAt).toISOString(),
    large: false,
    unavailable: false,
    member_count: members.length,
    members: members.map((m) => memberObject(state, m)),
    channels: state.guildChannels(g.id).map((c) => channelObject(state, c)),
    threads: [],
    presences: [],
    voice_states: voiceStates,
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function voiceStateObject(
  state: EmuState,
  v: { guildId: string; userId: string; channelId: string | null; sessionId: string; selfMute: boolean; selfDeaf: boolean },
): Json {
  const member = state.member(v.guildId, v.userId);
  return {
    guild_id: v.guildId,
    channel_id: v.channelId,
    user_id: v.userId,
    ...(member ? { member: memberObject(state, member) } : {}),
    session_id: v.sessionId,
    deaf: false,
    mute: false,
    self_deaf: v.selfDeaf,
    self_mute: v.selfMute,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
}
