/**
 * VoiceLink over @discordjs/voice: joins undeafened and unmuted, waits for Ready, feeds the receiver's decoded audio
 * to the session and plays the session's speech through a PlayerSink. Connection trouble follows the discord.js
 * voice guide: on Disconnected, give the library 5 s to start reconnecting by itself (Signalling or Connecting:
 * e.g. moved to another channel), else rejoin (bounded attempts; never after a kick, close code 4014), else destroy;
 * a connection stuck in Connecting/Signalling is destroyed too.
 * DAVE (Discord's voice E2EE): a voice protocol error inside the library is caught per connection (dave-guard.ts);
 * receive streams that die are subscribed again; decryption trouble is counted and, past a threshold, DAVE is
 * re-initialised or the link leaves and rejoins by itself (recovery.ts: bounded, with a cooldown).
 */
import {
  entersState,
  joinVoiceChannel,
  VoiceConnectionDisconnectReason,
  VoiceConnectionStatus,
  type DiscordGatewayAdapterCreator,
  type VoiceConnection,
  type VoiceConnectionState,
} from '@discordjs/voice';
import type { LinkHandlers, LinkInfo, VoiceLink } from '../session/link.js';
import { guardConnection, libraryDave } from './dave-guard.js';
import { PlayerSink, type PlayerSinkOptions } from './player-sink.js';
import { startReceiver } from './receiver.js';
import { RecoveryPolicy, type RecoveryPolicyOptions, type RecoveryRecord, type Remedy } from './recovery.js';

export interface DiscordLinkOptions {
  guildId: string;
  channelId: string;
  adapterCreator: DiscordGatewayAdapterCreator;
  /** @discordjs/voice connection group: one per bot client when several bots share a process. */
  group?: string;
  /** A user's receive stream ends after this much silence. Default 700. */
  receiveSilenceMs?: number;
  acceptUser?: (userId: string) => boolean;
  /** Rejoin attempts after a disconnect the library does not recover from. Default 3. */
  rejoinAttempts?: number;
  /** Time to get back to Ready from Connecting/Signalling. Default 15000. */
  recoverTimeoutMs?: number;
  /** After Disconnected, time for the library to start reconnecting by itself before we act. Default 5000. */
  reconnectGraceMs?: number;
  player?: PlayerSinkOptions;
  onError?: (err: Error) => void;
  /** Is the user still in the channel (receive streams of absent users are not re-subscribed). */
  isPresent?: (userId: string) => boolean;
  recovery?: RecoveryPolicyOptions;
  /** Something was recovered from (or caught): for the logs. */
  onRecovery?: (r: RecoveryRecord) => void;
}

const KICKED = 4014;
/** What an aborted entersState says on teardown: expected, not an error. */
const ABORTED = 'The operation was aborted';

export class DiscordVoiceLink implements VoiceLink {
  readonly sink: PlayerSink;
  private handlers: LinkHandlers | undefined;
  private connection: VoiceConnection | undefined;
  private stopReceiver: (() => void) | undefined;
  private stopGuard: (() => void) | undefined;
  private wasReady = false;
  private recovering = false;
  private rejoining = false;
  private destroyed = false;
  private readonly policy: RecoveryPolicy;

  constructor(private readonly opts: DiscordLinkOptions) {
    this.sink = new PlayerSink(opts.player);
    this.policy = new RecoveryPolicy(opts.recovery);
  }

  attach(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }

  async connect(signal: AbortSignal): Promise<void> {
    await this.open(signal);
  }

  private async open(signal: AbortSignal): Promise<void> {
    const { guildId, channelId, adapterCreator, group } = this.opts;
    const connection = joinVoiceChannel({
      guildId,
      channelId,
      adapterCreator,
      selfDeaf: false,
      selfMute: false,
      ...(group ? { group } : {}),
    });
    this.connection = connection;
    this.stopGuard = guardConnection(connection, {
      onProtocolError: (err) => this.note('protocol-error', `voice gateway message dropped: ${err.message}`),
      onDecryptFailure: () => this.remedy(this.policy.packetFailed(), 'packets failing DAVE decryption'),
      onDaveReinit: (detail) => {
        this.note('library-reinit', detail);
        this.remedy(this.policy.incident(), 'DAVE re-initialised by the library');
      },
    });
    connection.on('stateChange', (old, next) => this.onState(connection, old, next));
    connection.on('error', (err) => {
      if (err.message !== ABORTED) this.opts.onError?.(err);
    });
    connection.subscribe(this.sink.player);
    this.stopReceiver = startReceiver(connection, {
      silenceMs: this.opts.receiveSilenceMs ?? 700,
      ...(this.opts.acceptUser ? { acceptUser: this.opts.acceptUser } : {}),
      ...(this.opts.isPresent ? { isPresent: this.opts.isPresent } : {}),
      onAudio: (userId, pcm) => this.handlers?.audio(userId, pcm),
      onEnd: (userId) => this.handlers?.audioEnd(userId),
      onError: () => {
        if (!this.daveSettling()) this.remedy(this.policy.incident(), 'receive streams dying');
      },
      onResubscribe: (_userId, cause) => this.note('resubscribe', `receive stream re-subscribed after: ${cause.message}`),
    });
    await entersState(connection, VoiceConnectionStatus.Ready, signal);
    this.wasReady = true;
  }

  info(): LinkInfo {
    const c = this.connection;
    const dave = c ? libraryDave(c) : undefined;
    const epoch = dave?.session?.epoch;
    return {
      connection: c?.state.status ?? 'none',
      dave: dave
        ? {
            protocolVersion: dave.protocolVersion,
            epoch: epoch === null || epoch === undefined ? null : Number(epoch),
            privacyCode: dave.voicePrivacyCode,
            memberIds: dave.session?.getUserIds() ?? [],
          }
        : null,
      recoveries: [...this.policy.recent],
    };
  }

  destroy(): void {
    this.destroyed = true;
    this.closeConnection();
    this.sink.stop();
  }

  private closeConnection(): void {
    this.stopReceiver?.();
    this.stopReceiver = undefined;
    this.stopGuard?.();
    this.stopGuard = undefined;
    const c = this.connection;
    if (c && c.state.status !== VoiceConnectionStatus.Destroyed) c.destroy();
  }

  private note(kind: RecoveryRecord['kind'], detail: string): void {
    this.opts.onRecovery?.(this.policy.record(kind, detail));
  }

  /** Applies a remedy outside the library's call stack (decryption failures are reported from inside its decrypt). */
  private remedy(remedy: Remedy | null, why: string): void {
    if (remedy) setImmediate(() => this.apply(remedy, why));
  }

  private apply(remedy: Remedy, why: string): void {
    if (this.destroyed) return;
    const dave = this.connection ? libraryDave(this.connection) : undefined;
    if (remedy === 'dave-reinit' && dave?.reinitializing) return;
    if (remedy === 'dave-reinit' && dave) {
      this.note('dave-reinit', `${why}: DAVE re-initialised (op 31 + new key package; last transition ${dave.lastTransitionId ?? 0})`);
      dave.recoverFromInvalidTransition(dave.lastTransitionId ?? 0);
      return;
    }
    void this.rejoin(why);
  }

  /**
   * DAVE is re-initialising (no group keys yet): users' encrypted frames pass through undecrypted and break the Opus
   * decoder; that is expected until the new commit or Welcome, not an incident.
   */
  private daveSettling(): boolean {
    const dave = this.connection ? libraryDave(this.connection) : undefined;
    return Boolean(dave && dave.protocolVersion > 0 && (dave.reinitializing || !dave.session?.ready));
  }

  /** Leaves and joins the channel again with a fresh connection; the session sees down -> ready (or gone). */
  private async rejoin(why: string): Promise<void> {
    if (this.rejoining || this.destroyed) return;
    this.rejoining = true;
    const started = Date.now();
    this.handlers?.status('down');
    const old = this.connection;
    this.connection = undefined;
    this.stopReceiver?.();
    this.stopGuard?.();
    old?.removeAllListeners('stateChange');
    if (old && old.state.status !== VoiceConnectionStatus.Destroyed) old.destroy();
    try {
      await this.open(AbortSignal.timeout(this.opts.recoverTimeoutMs ?? 15_000));
      this.note('rejoin', `${why}: left and rejoined in ${Date.now() - started} ms`);
      if (!this.destroyed) this.handlers?.status('ready');
    } catch (err) {
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      if (!this.destroyed) this.handlers?.status('gone');
    } finally {
      this.rejoining = false;
    }
  }

  private onState(c: VoiceConnection, old: VoiceConnectionState, next: VoiceConnectionState): void {
    if (old.status === next.status || c !== this.connection) return;
    switch (next.status) {
      case VoiceConnectionStatus.Destroyed:
        this.stopReceiver?.();
        this.handlers?.status('gone');
        return;
      case VoiceConnectionStatus.Ready:
        if (this.wasReady) this.handlers?.status('ready');
        return;
      case VoiceConnectionStatus.Disconnected: {
        if (!this.wasReady) return;
        this.handlers?.status('down');
        const kicked = next.reason === VoiceConnectionDisconnectReason.WebSocketClose && next.closeCode === KICKED;
        void this.recoverFromDisconnect(c, kicked);
        return;
      }
      default:
        if (this.wasReady) void this.awaitReady(c);
    }
  }

  private async recoverFromDisconnect(c: VoiceConnection, kicked: boolean): Promise<void> {
    const grace = this.opts.reconnectGraceMs ?? 5000;
    try {
      await Promise.race([
        entersState(c, VoiceConnectionStatus.Signalling, grace),
        entersState(c, VoiceConnectionStatus.Connecting, grace),
      ]);
    } catch {
      if (c.state.status === VoiceConnectionStatus.Destroyed) return;
      if (!kicked && c.rejoinAttempts < (this.opts.rejoinAttempts ?? 3)) c.rejoin();
      else c.destroy();
    }
  }

  /** Connecting/Signalling after having been ready: Ready within recoverTimeoutMs, or destroy. */
  private async awaitReady(c: VoiceConnection): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    try {
      await entersState(c, VoiceConnectionStatus.Ready, this.opts.recoverTimeoutMs ?? 15_000);
    } catch {
      if (c.state.status !== VoiceConnectionStatus.Destroyed) c.destroy();
    } finally {
      this.recovering = false;
    }
  }
}
