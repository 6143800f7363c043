/** Data types of the Discord emulator's state and recordings (the public face used by tests). */

export interface EmuUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface EmuRole {
  id: string;
  guildId: string;
  name: string;
  /** Permission bit set as a decimal string, as Discord sends it. */
  permissions: string;
  color: number;
  position: number;
  hoist: boolean;
  mentionable: boolean;
  managed: boolean;
}

export interface EmuMember {
  guildId: string;
  userId: string;
  nick: string | null;
  /** Role ids without @everyone. */
  roles: string[];
  joinedAt: string;
}

export interface EmuGuild {
  id: string;
  name: string;
  ownerId: string;
  createdAt: number;
}

export interface EmuChannel {
  id: string;
  /** 0 guild text, 1 DM, 2 guild voice. */
  type: 0 | 1 | 2;
  name: string | null;
  guildId: string | null;
  /** DM only: the other user(s). */
  recipientIds: string[];
  position: number;
  lastMessageId: string | null;
}

export interface EmuAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string | null;
  url: string;
  proxyUrl: string;
  data: Buffer;
  description?: string;
  durationSecs?: number;
  waveform?: string;
}

export interface EmuReaction {
  emoji: string;
  userIds: string[];
}

export interface EmuMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  /** True when the author is the bot (channel messages and interaction responses). */
  fromBot: boolean;
  content: string;
  /** Previous contents, oldest first (edits.length = number of content edits). */
  edits: string[];
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  /** 0 default, 19 reply, 20 chat-input command response, 23 context-menu command response. */
  type: number;
  flags: number;
  tts: boolean;
  replyTo: string | null;
  attachments: EmuAttachment[];
  embeds: unknown[];
  components: unknown[];
  reactions: EmuReaction[];
  mentionIds: string[];
  mentionRoleIds: string[];
  mentionEveryone: boolean;
  nonce: string | number | null;
  /** Set for interaction responses and followups (the application id). */
  webhookId: string | null;
  interactionId: string | null;
}

export interface EmuInteraction {
  id: string;
  token: string;
  type: number;
  name: string;
  userId: string;
  channelId: string;
  guildId: string | null;
  createdAt: number;
  /** Component/modal interactions and message commands: the message they refer to. */
  messageId: string | null;
  /** Set after the first callback (response type). */
  callbackType: number | null;
  /** The @original message once a callback created one. */
  originalMessageId: string | null;
  followupIds: string[];
}

export interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType: string | null;
  data: Buffer;
}

export interface RecordedRequest {
  at: number;
  method: string;
  /** Path without /api/v10, without query. */
  path: string;
  /** Templated route, e.g. /channels/{channel_id}/messages ('' when no route matched). */
  route: string;
  query: Record<string, string>;
  /** Lower-case header names; the Authorization header is removed and reported as hasAuth. */
  headers: Record<string, string>;
  hasAuth: boolean;
  /** Parsed JSON, or { payload_json, files } for multipart requests. */
  body: unknown;
  status: number;
  response: unknown;
  /** Contract violations found for this request/response. */
  violations: string[];
}

export interface GatewayEvent {
  op: number;
  t?: string;
  s?: number;
  d: unknown;
  dir: 'in' | 'out';
  at: number;
}

export interface InteractionResponseRecord {
  interactionId: string;
  /** 'callback' for POST .../callback; webhook calls on the interaction token otherwise. */
  kind: 'callback' | 'followup' | 'edit' | 'delete';
  /** Callback type (4 message, 5 deferred, 6 deferred update, 7 update, 9 modal ...); 0 for webhook calls. */
  type: number;
  /** Message id the call created or edited (null for callbacks without a message). */
  messageId: string | null;
  data: unknown;
  at: number;
}

export interface FailRule {
  method?: string;
  route: string | RegExp;
  status: number;
  retryAfter?: number;
  times?: number;
}

/** The next matching request(s) are handled at once (a created message is dispatched) but answered `ms` later. */
export interface DelayRule {
  method?: string;
  route: string | RegExp;
  ms: number;
  times?: number;
}
