/** `emu.voice`: the voice gateway (TLS WebSocket, v8) + UDP server, hooked to the main gateway's op 4. */
import type { EmuContext } from '../context.js';
import { waitFor } from '../wait.js';
import { voiceCert, type VoiceCert } from './cert.js';
import { acceptVoiceSocket, usersInChannel } from './protocol.js';
import { decodeFrames, onBotRtp, speak } from './speaker.js';
import {
  VOICE_MODES,
  type EmuVoice,
  type ReceivedAudio,
  type SpeakParams,
  type VoiceConnInfo,
  type VoiceGatewayEvent,
  type VoiceOptions,
} from './types.js';
import { VoiceUdp } from './udp.js';
import { botJoined, botLeft, disconnectBot, userJoinsVoice, userLeavesVoice } from './users.js';
import { VoiceWorld } from './world.js';
import { VoiceWss } from './ws-server.js';
import { EmuDave } from './dave/api.js';

export class EmuVoiceServer implements EmuVoice {
  private readonly world: VoiceWorld;
  /** DAVE groups, simulated members, faults. */
  readonly dave: EmuDave;
  private readonly udp: VoiceUdp;
  private wss: VoiceWss | null = null;
  private cert: VoiceCert | null = null;
  /** Why start() could not set voice up (e.g. no `openssl`); text-only use of the emulator still works then. */
  private startError: Error | null = null;
  /** Guilds whose next bot join gets an endpoint nothing listens on (unreachableNextJoin). */
  private readonly unreachable = new Set<string>();

  constructor(
    ctx: EmuContext,
    opts: VoiceOptions,
    /** The main emulator's summary, appended to failed waits. */
    private readonly describe: () => string,
  ) {
    const settings = {
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 13_750,
      modes: [...(opts.modes ?? VOICE_MODES)],
      dave: opts.dave ?? true,
    };
    this.world = new VoiceWorld(ctx, settings, () => this.udp.port);
    this.dave = new EmuDave(this.world);
    this.udp = new VoiceUdp({ onRtp: (msg, from) => onBotRtp(this.world, msg, from) });
  }

  /**
   * Creates (once per process) and trusts the certificate, then listens on TLS and UDP ports of 127.0.0.1.
   * A failure is kept, not thrown: the bot then gets no VOICE_SERVER_UPDATE and voice accessors throw the reason.
   */
  async start(): Promise<void> {
    try {
      await this.listen();
    } catch (err) {
      this.startError = err instanceof Error ? err : new Error(String(err));
      await this.close();
      this.wss = null;
    }
  }

  private async listen(): Promise<void> {
    this.cert = await voiceCert();
    const onTlsError = (err: Error): void => this.world.violation(`voice gateway TLS: ${err.message}`);
    this.wss = new VoiceWss(this.cert, (ws, url) => acceptVoiceSocket(this.world, ws, url), onTlsError);
    await this.wss.listen();
    await this.udp.listen();
  }

  async close(): Promise<void> {
    this.world.sessions.clear();
    for (const sim of this.world.daveSims.values()) sim.close();
    for (const g of this.world.daveGroups.values()) g.close();
    await this.wss?.close();
    await this.udp.close();
  }

  /** host:port as VOICE_SERVER_UPDATE carries it. */
  get endpoint(): string {
    return `127.0.0.1:${this.wss?.port ?? 0}`;
  }

  /** Main gateway hooks (see voice-state.ts). */
  onBotJoin(p: { guildId: string; channelId: string; sessionId: string }): void {
    if (this.wss) botJoined(this.world, p, this.unreachable.delete(p.guildId) ? '127.0.0.1:1' : this.endpoint);
  }
  onBotLeave(p: { guildId: string }): void {
    botLeft(this.world, p.guildId);
  }

  get caCertPem(): string {
    return this.requireCert().certPem;
  }
  get caCertFile(): string {
    return this.requireCert().certFile;
  }
  get events(): VoiceGatewayEvent[] {
    return this.world.events;
  }
  get violations(): string[] {
    return this.world.violations;
  }
  get identifies(): number {
    return this.world.stats.identifies;
  }
  get resumes(): number {
    return this.world.stats.resumes;
  }

  userJoinsVoice(p: { guildId: string; channelId: string; userId: string; announceDelayMs?: number }): void {
    userJoinsVoice(this.world, p);
  }
  userLeavesVoice(p: { guildId: string; userId: string }): void {
    userLeavesVoice(this.world, p);
  }

  connection(guildId: string): VoiceConnInfo | null {
    const s = this.world.sessions.get(guildId);
    return s ? this.world.info(s) : null;
  }

  waitForConnection(guildId: string, opts: { timeoutMs?: number } = {}): Promise<VoiceConnInfo> {
    const label = `the bot's voice connection in guild ${guildId} (session described, UDP set up)`;
    const ready = (): VoiceConnInfo | null => {
      const c = this.connection(guildId);
      return c?.ready && c.udpPeer ? c : null;
    };
    return waitFor(ready, { label, timeoutMs: opts.timeoutMs ?? 10_000 }, () => this.summary(guildId));
  }

  /**
   * Resolves once the DAVE group of the bot's channel holds the bot and every user in that channel, with no change
   * pending and every simulated member ready (at once when DAVE is off).
   */
  waitForDave(guildId: string, opts: { timeoutMs?: number } = {}): Promise<true> {
    const label = `the DAVE group of the bot's voice channel in guild ${guildId} (bot + users present, settled)`;
    const settled = (): boolean => {
      const s = this.world.sessions.get(guildId);
      if (!this.world.settings.dave) return true;
      if (!s?.daveLink) return false;
      const ids = [this.world.ctx.state.botUser.id, ...usersInChannel(this.world, guildId, s.channelId)];
      const group = this.world.daveGroups.get(s.channelId);
      if (ids.length < 2) return Boolean(group?.idle && group.hasJoined(ids[0]!));
      return this.dave.settled(guildId, ids);
    };
    const describe = (): string =>
      `${JSON.stringify(this.world.sessions.get(guildId) ? this.dave.group(guildId) : null)}\n${this.summary(guildId)}`;
    return waitFor(() => settled() || undefined, { label, timeoutMs: opts.timeoutMs ?? 10_000 }, describe);
  }

  speak(p: SpeakParams): Promise<void> {
    return speak(this.world, this.udp, p);
  }

  received(guildId: string): ReceivedAudio {
    const r = this.world.received.get(guildId);
    return { frames: [...(r?.frames ?? [])], speaking: [...(r?.speaking ?? [])] };
  }
  decodeReceived(guildId: string): Int16Array {
    return decodeFrames(this.received(guildId).frames.map((f) => f.opus));
  }
  clearReceived(guildId: string): void {
    this.world.received.delete(guildId);
  }

  dropVoice(guildId: string): void {
    this.world.sessions.get(guildId)?.ws?.terminate();
  }
  disconnectBot(guildId: string): void {
    disconnectBot(this.world, guildId);
  }
  unreachableNextJoin(guildId: string): void {
    this.unreachable.add(guildId);
  }

  private requireCert(): VoiceCert {
    if (this.startError) throw new Error(`emulator: the voice server could not start: ${this.startError.message}`);
    if (!this.cert) throw new Error('emulator: the voice server has not started');
    return this.cert;
  }

  private summary(guildId: string): string {
    const s = this.world.sessions.get(guildId);
    const none = this.startError ? `voice server not started: ${this.startError.message}` : 'no voice session';
    const state = s ? `identified=${s.identified} ready=${s.ready} socket=${s.live ? 'open' : 'none'}` : none;
    const recent = this.world.events.slice(-6).map((e) => `  ${e.dir} op ${e.op} ${JSON.stringify(e.d).slice(0, 100)}`);
    return [
      `voice: ${state} (VOICE_STATE_UPDATE for the bot needs the GuildVoiceStates intent)`,
      ...(recent.length > 0 ? ['last voice gateway payloads:', ...recent] : []),
      ...(this.world.violations.length > 0 ? [`voice violations: ${this.world.violations.slice(-3).join(' | ')}`] : []),
      this.describe(),
    ].join('\n');
  }
}
