/** Wires state, gateway and REST together behind the DiscordEmulator interface. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { triggerInteraction, type InteractionParams } from './actor-interaction.js';
import { addReaction, userEdits, userSays, type UserSaysParams } from './actors.js';
import type { DiscordEmulator, StartOptions } from './api.js';
import type { EmuContext } from './context.js';
import { createDiscordContract } from './contract.js';
import { checkDispatch } from './dispatch-check.js';
import { publishChannel, publishGuild } from './events.js';
import { FaultInjector } from './faults.js';
import { Gateway } from './gateway.js';
import { memberObject, roleObject } from './objects.js';
import { commandRoutes } from './rest/commands.js';
import { interactionRoutes } from './rest/interactions.js';
import { messageRoutes } from './rest/messages.js';
import { resourceRoutes } from './rest/resources.js';
import { Router } from './rest/router.js';
import { createEmulatorServer } from './rest/server.js';
import { DEFAULT_EVERYONE_PERMISSIONS, EmuState } from './state.js';
import type { DelayRule, EmuChannel, EmuMessage, FailRule } from './types.js';
import { handleBotVoiceState } from './voice-state.js';
import { EmuVoiceServer } from './voice/voice-server.js';
import { waitFor, type Condition, type WaitOptions } from './wait.js';

export class Emulator implements DiscordEmulator {
  readonly token: string;
  private readonly state: EmuState;
  private readonly gateway: Gateway;
  private readonly faults = new FaultInjector();
  private readonly ctx: EmuContext;
  private readonly server: Server;
  private port = 0;
  private shardCount: number;
  private requiredShards: number;
  readonly voice: EmuVoiceServer;

  constructor(opts: StartOptions) {
    this.token = opts.token ?? 'emulator-bot-token';
    this.state = new EmuState(opts.botUsername ?? 'eos-bot', BigInt(opts.botPermissions ?? DEFAULT_EVERYONE_PERMISSIONS));
    const httpBase = (): string => `http://127.0.0.1:${this.port}`;
    const contract = opts.contractCheck === false ? null : (opts.contract ?? createDiscordContract());
    this.shardCount = opts.shards ?? 1;
    this.requiredShards = opts.requiredShards ?? 1;
    this.gateway = new Gateway(this.state, {
      token: this.token,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
      wsBase: () => httpBase().replace(/^http/, 'ws'),
      onVoiceStateUpdate: (d, session) =>
        handleBotVoiceState(
          this.ctx,
          d,
          session,
          (p) => this.voice.onBotJoin(p),
          (p) => this.voice.onBotLeave(p),
        ),
      checkDispatch: (t, d) => contract && this.state.rec.contractViolations.push(...checkDispatch(contract, t, d)),
      requiredShards: () => this.requiredShards,
    });
    this.ctx = {
      state: this.state,
      gateway: this.gateway,
      token: this.token,
      httpBase,
      interactionTimeoutMs: opts.interactionTimeoutMs ?? 3000,
      shardCount: () => this.shardCount,
    };
    const router = new Router();
    for (const add of [resourceRoutes, messageRoutes, commandRoutes, interactionRoutes]) add(router);
    this.server = createEmulatorServer({ ctx: this.ctx, router, faults: this.faults, contract });
    this.voice = new EmuVoiceServer(this.ctx, opts.voice ?? {}, () => this.summary());
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    await this.voice.start();
  }

  get restBase(): string {
    return `${this.ctx.httpBase()}/api`;
  }
  get botUser() {
    return { id: this.state.botUser.id, username: this.state.botUser.username };
  }
  get applicationId() {
    return this.state.applicationId;
  }

  createUser(p: { username: string; globalName?: string; bot?: boolean }) {
    return this.state.addUser(p);
  }
  createGuild(p: { name: string; ownerId?: string; shard?: readonly [number, number] }) {
    const guild = this.state.addGuild(p);
    publishGuild(this.ctx, guild);
    return guild;
  }
  createRole(guildId: string, p: { name: string; permissions?: bigint | string }) {
    const role = this.state.addRole(guildId, p);
    this.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: guildId, role: roleObject(role, this.state.botUser.id) });
    return role;
  }
  setPermissions(roleId: string, permissions: bigint | string): void {
    const role = this.state.roles.get(roleId);
    if (!role) throw new Error(`emulator: unknown role ${roleId}`);
    role.permissions = BigInt(permissions).toString();
    this.gateway.dispatch('GUILD_ROLE_UPDATE', { guild_id: role.guildId, role: roleObject(role, this.state.botUser.id) });
  }
  addMember(guildId: string, userId: string, p: { nick?: string; roles?: string[] } = {}): void {
    const member = this.state.addMember(guildId, userId, p);
    this.gateway.dispatch('GUILD_MEMBER_ADD', { guild_id: guildId, ...memberObject(this.state, member) });
  }
  createChannel(p: { guildId: string; name: string; type?: 0 | 2 }): EmuChannel {
    const channel = this.state.addChannel({ guildId: p.guildId, name: p.name, type: p.type ?? 0 });
    publishChannel(this.ctx, channel);
    return channel;
  }
  createDM(userId: string): EmuChannel {
    return this.state.dmWith(userId).channel;
  }

  userSays(p: UserSaysParams): EmuMessage {
    return userSays(this.ctx, p);
  }
  userEdits(p: { channelId: string; messageId: string; content: string }): EmuMessage {
    return userEdits(this.ctx, p);
  }
  interaction(p: InteractionParams) {
    return triggerInteraction(this.ctx, p);
  }
  clickButton(p: { customId: string; userId: string; channelId: string; guildId?: string; messageId: string }) {
    const { customId, messageId, ...who } = p;
    return triggerInteraction(this.ctx, { ...who, name: customId, type: 3, customId, targetMessageId: messageId });
  }
  addReaction(p: { channelId: string; messageId: string; userId: string; emoji: string }): void {
    addReaction(this.ctx, p);
  }

  messages(channelId: string): EmuMessage[] {
    return this.allMessages(channelId).filter((m) => !m.deleted);
  }
  allMessages(channelId: string): EmuMessage[] {
    return [...(this.state.messagesByChannel.get(channelId) ?? [])];
  }
  botMessages(channelId?: string): EmuMessage[] {
    const all = channelId ? this.messages(channelId) : [...this.state.messagesById.values()].filter((m) => !m.deleted);
    return all.filter((m) => m.fromBot);
  }
  waitFor<T>(fn: Condition<T>, opts: WaitOptions = {}): Promise<T> {
    return waitFor(fn, opts, () => this.summary());
  }
  waitForBotMessage(channelId: string, predicate: (m: EmuMessage) => boolean = () => true, opts: WaitOptions = {}) {
    return this.waitFor(() => this.botMessages(channelId).find(predicate), { label: `a bot message in channel ${channelId}`, ...opts });
  }

  get requests() {
    return this.state.rec.requests;
  }
  get gatewayEvents() {
    return this.state.rec.gatewayEvents;
  }
  get typing() {
    return this.state.rec.typing;
  }
  get reactions() {
    return this.state.rec.reactions;
  }
  get presences() {
    return this.state.rec.presences;
  }
  get voiceStateUpdates() {
    return this.state.rec.voiceStateUpdates;
  }
  get commands() {
    return this.state.rec.commands;
  }
  get interactionResponses() {
    return this.state.rec.interactionResponses;
  }
  get contractViolations() {
    return this.state.rec.contractViolations;
  }
  get withheldDispatches() {
    return this.gateway.withheld;
  }
  get identifies() {
    return this.gateway.identifies;
  }
  get resumes() {
    return this.gateway.resumes;
  }
  get identifiedShards() {
    return this.gateway.identifiedShards;
  }
  get shardMisroutes() {
    return this.gateway.shardMisroutes;
  }

  setShardCount(recommended: number, required = 1): void {
    this.shardCount = recommended;
    this.requiredShards = required;
  }

  dropGateway(opts: { code?: number; shard?: number } = {}): void {
    this.gateway.drop(opts.code ?? 4000, opts.shard);
  }
  sendReconnect(): void {
    this.gateway.sendOp(7, null);
  }
  invalidateSession(resumable: boolean): void {
    this.gateway.invalidate(resumable);
  }
  failNext(p: FailRule): void {
    this.faults.add(p);
  }
  delayNext(p: DelayRule): void {
    this.faults.addDelay(p);
  }
  setLatency(ms: number): void {
    this.faults.latencyMs = ms;
  }
  connected(shard?: number): boolean {
    return this.gateway.connected(shard);
  }

  async close(): Promise<void> {
    await this.voice.close();
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** What a failed wait prints: connection state, recent REST calls, withheld dispatches, violations. */
  private summary(): string {
    const recent = this.requests.slice(-8).map((r) => `  ${r.method} ${r.path} -> ${r.status}`);
    const withheld = this.gateway.withheld.slice(-5).map((w) => `  ${w.t} (needs ${w.intent})`);
    return [
      `gateway: connected=${this.connected()} identifies=${this.identifies} resumes=${this.resumes} shards=${JSON.stringify(this.gateway.shards())}`,
      `last REST requests (${this.requests.length} total):`,
      ...(recent.length > 0 ? recent : ['  none']),
      ...(withheld.length > 0 ? ['dispatches withheld for missing intents:', ...withheld] : []),
      ...(this.contractViolations.length > 0 ? [`contract violations: ${this.contractViolations.slice(0, 3).join(' | ')}`] : []),
    ].join('\n');
  }
}
