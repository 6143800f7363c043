/** The public shape of the Discord emulator (see index.ts for startDiscordEmulator). */
import type { InteractionParams } from './actor-interaction.js';
import type { UserSaysParams } from './actors.js';
import type { OpenApiContract } from './contract.js';
import type {
  EmuChannel,
  EmuGuild,
  EmuInteraction,
  EmuMessage,
  EmuRole,
  EmuUser,
  DelayRule,
  FailRule,
  GatewayEvent,
  InteractionResponseRecord,
  RecordedRequest,
} from './types.js';
import type { Condition, WaitOptions } from './wait.js';
import type { EmuVoice, VoiceOptions } from './voice/types.js';

export interface StartOptions {
  token?: string;
  botUsername?: string;
  /** Validate every REST request/response against Discord's OpenAPI spec (default true). */
  contractCheck?: boolean;
  /** HELLO heartbeat_interval (default 41250 like Discord; tests may use less). */
  heartbeatIntervalMs?: number;
  /** Time allowed for the first interaction callback (default 3000 like Discord). */
  interactionTimeoutMs?: number;
  /** Permissions of the bot's managed role in every guild (default: @everyone's defaults). */
  botPermissions?: bigint | string;
  /** Share one compiled contract between emulators (compiling costs ~0.1-0.3 s per operation). */
  contract?: OpenApiContract;
  /** Voice gateway settings (heartbeat interval, offered encryption modes). */
  voice?: VoiceOptions;
  /** Shards `GET /gateway/bot` recommends (default 1); see setShardCount. */
  shards?: number;
  /** IDENTIFY with fewer shards is closed with 4011 Sharding required (default 1). */
  requiredShards?: number;
}

export interface DiscordEmulator {
  /** http://127.0.0.1:PORT/api; discord.js then calls /api/v10/... */
  readonly restBase: string;
  readonly token: string;
  readonly botUser: { id: string; username: string };
  readonly applicationId: string;

  createUser(p: { username: string; globalName?: string; bot?: boolean }): EmuUser;
  /** Also creates the @everyone role (id = guild id), the bot's managed role, and the owner (a new user unless given). */
  createGuild(p: { name: string; ownerId?: string; shard?: readonly [number, number] }): EmuGuild;
  createRole(guildId: string, p: { name: string; permissions?: bigint | string }): EmuRole;
  /** Changes a role's permissions (the @everyone role's id is the guild id); dispatches GUILD_ROLE_UPDATE. */
  setPermissions(roleId: string, permissions: bigint | string): void;
  addMember(guildId: string, userId: string, p?: { nick?: string; roles?: string[] }): void;
  createChannel(p: { guildId: string; name: string; type?: 0 | 2 }): EmuChannel;
  createDM(userId: string): EmuChannel;

  userSays(p: UserSaysParams): EmuMessage;
  /** A user edits their message (MESSAGE_UPDATE). */
  userEdits(p: { channelId: string; messageId: string; content: string }): EmuMessage;
  interaction(p: InteractionParams): EmuInteraction;
  /** A user presses the button `customId` under message `messageId` (a component interaction, type 3). */
  clickButton(p: { customId: string; userId: string; channelId: string; guildId?: string; messageId: string }): EmuInteraction;
  addReaction(p: { channelId: string; messageId: string; userId: string; emoji: string }): void;

  /** Channel history (users' and bot's messages, ephemeral ones included), without deleted messages. */
  messages(channelId: string): EmuMessage[];
  /** Like messages() but deleted messages stay in (with deleted: true). */
  allMessages(channelId: string): EmuMessage[];
  botMessages(channelId?: string): EmuMessage[];
  waitFor<T>(fn: Condition<T>, opts?: WaitOptions): Promise<T>;
  waitForBotMessage(channelId: string, predicate?: (m: EmuMessage) => boolean, opts?: WaitOptions): Promise<EmuMessage>;

  readonly requests: RecordedRequest[];
  readonly gatewayEvents: GatewayEvent[];
  readonly typing: { channelId: string; at: number }[];
  readonly reactions: { channelId: string; messageId: string; emoji: string; userId: string }[];
  /** op 3 presence updates from the bot (an initial presence sent with IDENTIFY is in gatewayEvents only). */
  readonly presences: unknown[];
  /** op 4 voice state updates from the bot. */
  readonly voiceStateUpdates: unknown[];
  readonly commands: { global: unknown[]; guild: Record<string, unknown[]> };
  readonly interactionResponses: InteractionResponseRecord[];
  readonly contractViolations: string[];
  /** Dispatches not delivered because the bot did not ask for the needed intent. */
  readonly withheldDispatches: { t: string; intent: string; at: number }[];

  /** `shard`: drop only that shard's socket. */
  dropGateway(opts?: { code?: number; shard?: number }): void;
  sendReconnect(): void;
  invalidateSession(resumable: boolean): void;
  failNext(p: FailRule): void;
  /** The next matching request(s) take effect at once (dispatches included) but are answered `p.ms` later. */
  delayNext(p: DelayRule): void;
  setLatency(ms: number): void;
  /** Every existing shard session is connected (`shard`: that shard's). */
  connected(shard?: number): boolean;
  /** Sharding: change what `GET /gateway/bot` recommends and the minimum IDENTIFY accepts. */
  setShardCount(recommended: number, required?: number): void;
  /** [id, count] of every accepted IDENTIFY, in order. */
  readonly identifiedShards: readonly (readonly [number, number])[];
  /** Dispatches sent to a shard not owning their guild, and op 4 for another shard's guild (always empty unless broken). */
  readonly shardMisroutes: readonly { t: string; guildId: string | null; shard: readonly [number, number] }[];
  readonly identifies: number;
  readonly resumes: number;
  /** Discord voice: voice gateway v8 (TLS) + UDP/RTP, simulated speakers, what the bot sent (see voice/types.ts). */
  readonly voice: EmuVoice;
  close(): Promise<void>;
}
