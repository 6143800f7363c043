/** The emulator's world: users, guilds, roles, members, channels, messages, plus everything it records. */
import { SnowflakeGenerator } from './snowflake.js';
import type {
  EmuAttachment,
  EmuChannel,
  EmuGuild,
  EmuInteraction,
  EmuMember,
  EmuMessage,
  EmuRole,
  EmuUser,
  GatewayEvent,
  InteractionResponseRecord,
  RecordedRequest,
} from './types.js';

const bit = (n: number): bigint => 1n << BigInt(n);
/** Discord's default @everyone permissions for a new guild (text + voice basics, no moderation). */
export const DEFAULT_EVERYONE_PERMISSIONS = [0, 6, 10, 11, 14, 15, 16, 18, 20, 21, 25, 26, 31, 38, 46, 49]
  .map(bit)
  .reduce((a, b) => a | b, 0n);

export interface Recordings {
  requests: RecordedRequest[];
  gatewayEvents: GatewayEvent[];
  typing: { channelId: string; at: number }[];
  reactions: { channelId: string; messageId: string; emoji: string; userId: string }[];
  presences: unknown[];
  voiceStateUpdates: unknown[];
  commands: { global: unknown[]; guild: Record<string, unknown[]> };
  interactionResponses: InteractionResponseRecord[];
  contractViolations: string[];
}

export interface VoiceStateEntry {
  guildId: string;
  userId: string;
  channelId: string | null;
  sessionId: string;
  selfMute: boolean;
  selfDeaf: boolean;
}

/** The entry with this id; throws `emulator: unknown <what> <id>` when there is none. */
function known<T>(map: Map<string, T>, id: string, what: string): T {
  const found = map.get(id);
  if (!found) throw new Error(`emulator: unknown ${what} ${id}`);
  return found;
}

/** The entries that belong to one guild, in insertion order. */
function inGuild<T extends { guildId: string | null }>(map: Map<string, T>, guildId: string): T[] {
  return [...map.values()].filter((x) => x.guildId === guildId);
}

export class EmuState {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, EmuUser>();
  readonly guilds = new Map<string, EmuGuild>();
  readonly roles = new Map<string, EmuRole>();
  readonly members = new Map<string, EmuMember>();
  readonly channels = new Map<string, EmuChannel>();
  readonly messagesByChannel = new Map<string, EmuMessage[]>();
  readonly messagesById = new Map<string, EmuMessage>();
  readonly attachments = new Map<string, EmuAttachment>();
  readonly interactions = new Map<string, EmuInteraction>();
  readonly voiceStates = new Map<string, VoiceStateEntry>();
  readonly rec: Recordings = {
    requests: [],
    gatewayEvents: [],
    typing: [],
    reactions: [],
    presences: [],
    voiceStateUpdates: [],
    commands: { global: [], guild: {} },
    interactionResponses: [],
    contractViolations: [],
  };
  readonly botUser: EmuUser;
  readonly applicationId: string;
  /** The (human) owner of the bot's application, as GET /applications/@me reports it. */
  readonly appOwner: EmuUser;

  constructor(
    botUsername: string,
    readonly botPermissions: bigint,
  ) {
    this.appOwner = this.addUser({ username: 'app-owner' });
    this.botUser = this.addUser({ username: botUsername, bot: true });
    this.applicationId = this.botUser.id;
  }

  addUser(p: { username: string; globalName?: string; bot?: boolean }): EmuUser {
    const user: EmuUser = { id: this.ids.next(), username: p.username, globalName: p.globalName ?? null, bot: p.bot ?? false };
    this.users.set(user.id, user);
    return user;
  }

  user(id: string): EmuUser {
    return known(this.users, id, 'user');
  }

  /** Creates the guild, its @everyone role (id = guild id), the bot's managed role and the owner/bot memberships. */
  addGuild(p: { name: string; ownerId?: string; shard?: readonly [number, number] }): EmuGuild {
    const id = p.shard ? this.ids.nextOnShard(p.shard[0], p.shard[1]) : this.ids.next();
    const ownerId = p.ownerId ?? this.addUser({ username: `${p.name.replace(/\W+/g, '').toLowerCase() || 'guild'}-owner` }).id;
    this.user(ownerId);
    const guild: EmuGuild = { id, name: p.name, ownerId, createdAt: Date.now() };
    this.guilds.set(id, guild);
    this.roles.set(id, this.makeRole(id, id, '@everyone', DEFAULT_EVERYONE_PERMISSIONS, 0, false));
    const botRole = this.makeRole(this.ids.next(), id, this.botUser.username, this.botPermissions, 1, true);
    this.roles.set(botRole.id, botRole);
    if (ownerId !== this.botUser.id) this.addMember(id, ownerId, {});
    this.addMember(id, this.botUser.id, { roles: [botRole.id] });
    return guild;
  }

  addRole(guildId: string, p: { name: string; permissions?: bigint | string }): EmuRole {
    this.guild(guildId);
    const position = this.guildRoles(guildId).length;
    const role = this.makeRole(this.ids.next(), guildId, p.name, BigInt(p.permissions ?? 0n), position, false);
    this.roles.set(role.id, role);
    return role;
  }

  private makeRole(id: string, guildId: string, name: string, perms: bigint, position: number, managed: boolean): EmuRole {
    return { id, guildId, name, permissions: perms.toString(), color: 0, position, hoist: false, mentionable: false, managed };
  }

  guild(id: string): EmuGuild {
    return known(this.guilds, id, 'guild');
  }

  guildRoles(guildId: string): EmuRole[] {
    return inGuild(this.roles, guildId);
  }

  addMember(guildId: string, userId: string, p: { nick?: string; roles?: string[] }): EmuMember {
    this.guild(guildId);
    this.user(userId);
    for (const r of p.roles ?? []) {
      if (this.roles.get(r)?.guildId !== guildId) throw new Error(`emulator: role ${r} is not in guild ${guildId}`);
    }
    const member: EmuMember = { guildId, userId, nick: p.nick ?? null, roles: p.roles ?? [], joinedAt: new Date().toISOString() };
    this.members.set(`${guildId}:${userId}`, member);
    return member;
  }

  member(guildId: string, userId: string): EmuMember | undefined {
    return this.members.get(`${guildId}:${userId}`);
  }

  guildMembers(guildId: string): EmuMember[] {
    return inGuild(this.members, guildId);
  }

  addChannel(p: { guildId: string | null; name: string | null; type: 0 | 1 | 2; recipientIds?: string[] }): EmuChannel {
    if (p.guildId) this.guild(p.guildId);
    const position = p.guildId ? this.guildChannels(p.guildId).length : 0;
    const channel: EmuChannel = {
      id: this.ids.next(),
      type: p.type,
      name: p.name,
      guildId: p.guildId,
      recipientIds: p.recipientIds ?? [],
      position,
      lastMessageId: null,
    };
    this.channels.set(channel.id, channel);
    this.messagesByChannel.set(channel.id, []);
    return channel;
  }

  channel(id: string): EmuChannel {
    return known(this.channels, id, 'channel');
  }

  guildChannels(guildId: string): EmuChannel[] {
    return inGuild(this.channels, guildId);
  }

  /** The DM channel between the bot and a user (created on first use). */
  dmWith(userId: string): { channel: EmuChannel; created: boolean } {
    this.user(userId);
    const existing = [...this.channels.values()].find((c) => c.type === 1 && c.recipientIds[0] === userId);
    if (existing) return { channel: existing, created: false };
    return { channel: this.addChannel({ guildId: null, name: null, type: 1, recipientIds: [userId] }), created: true };
  }

  storeMessage(message: EmuMessage): void {
    this.messagesById.set(message.id, message);
    this.messagesByChannel.get(message.channelId)?.push(message);
    this.channel(message.channelId).lastMessageId = message.id;
    for (const a of message.attachments) this.attachments.set(a.id, a);
  }

  message(channelId: string, messageId: string): EmuMessage | undefined {
    const m = this.messagesById.get(messageId);
    return m && m.channelId === channelId && !m.deleted ? m : undefined;
  }
}
