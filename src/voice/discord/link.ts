/**
 * VoiceLink over @discordjs/voice: joins undeafened and unmuted, waits for Ready, feeds the receiver's decoded audio
 * to the session and plays the session's speech through a PlayerSink. Connection trouble follows the discord.js
 * voice guide: on Disconnected, give the library 5 s to start reconnecting by itself (Signalling or Connecting:
 * e.g. moved to another channel), else rejoin (bounded attempts; never after a kick, close code 4014), else destroy;
 * a connection stuck in Connecting/Signalling is destroyed too.
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
import type { LinkHandlers, VoiceLink } from '../session/link.js';
import { PlayerSink, type PlayerSinkOptions } from './player-sink.js';
import { startReceiver } from './receiver.js';

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
}

const KICKED = 4014;

export class DiscordVoiceLink implements VoiceLink {
  readonly sink: PlayerSink;
  private handlers: LinkHandlers | undefined;
  private connection: VoiceConnection | undefined;
  private stopReceiver: (() => void) | undefined;
  private wasReady = false;
  private recovering = false;

  constructor(private readonly opts: DiscordLinkOptions) {
    this.sink = new PlayerSink(opts.player);
  }

  attach(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }

  async connect(signal: AbortSignal): Promise<void> {
    const { guildId, channelId, adapterCreator, group } = this.opts;
    const connection = joinVoiceChannel({ guildId, channelId, adapterCreator, selfDeaf: false, selfMute: false, ...(group ? { group } : {}) });
    this.connection = connection;
    connection.on('stateChange', (old, next) => this.onState(connection, old, next));
    connection.on('error', (err) => this.opts.onError?.(err));
    connection.subscribe(this.sink.player);
    this.stopReceiver = startReceiver(connection, {
      silenceMs: this.opts.receiveSilenceMs ?? 700,
      ...(this.opts.acceptUser ? { acceptUser: this.opts.acceptUser } : {}),
      onAudio: (userId, pcm) => this.handlers?.audio(userId, pcm),
      onEnd: (userId) => this.handlers?.audioEnd(userId),
      onError: (_userId, err) => this.opts.onError?.(err),
    });
    await entersState(connection, VoiceConnectionStatus.Ready, signal);
    this.wasReady = true;
  }

  destroy(): void {
    this.stopReceiver?.();
    this.stopReceiver = undefined;
    this.sink.stop();
    const c = this.connection;
    if (c && c.state.status !== VoiceConnectionStatus.Destroyed) c.destroy();
  }

  private onState(c: VoiceConnection, old: VoiceConnectionState, next: VoiceConnectionState): void {
    if (old.status === next.status) return;
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
