import type { EmuDave } from './dave/api.js';
/** Public types of the emulator's voice side (`emu.voice`): Discord voice gateway v8 over TLS + UDP/RTP. */

export type VoiceMode = 'aead_aes256_gcm_rtpsize' | 'aead_xchacha20_poly1305_rtpsize';
export const VOICE_MODES: readonly VoiceMode[] = ['aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize'];

export interface VoiceOptions {
  /** Voice HELLO heartbeat_interval (default 13750 like Discord). */
  heartbeatIntervalMs?: number;
  /** Encryption modes offered in READY, in this order (default both; @discordjs/voice picks AES-GCM). */
  modes?: VoiceMode[];
  /**
   * DAVE (Discord's voice E2EE, protocol v1) on the voice gateway. Default true, like Discord since March 2026:
   * SESSION_DESCRIPTION carries dave_protocol_version 1 and a bot that offers no DAVE is closed with 4017.
   */
  dave?: boolean;
}

export interface VoiceConnInfo {
  guildId: string;
  channelId: string;
  ssrc: number;
  /** Chosen by the bot in SELECT_PROTOCOL; null before that. */
  mode: VoiceMode | null;
  selfDeaf: boolean;
  selfMute: boolean;
  /** SESSION_DESCRIPTION sent (UDP discovered, protocol selected, key handed out). */
  ready: boolean;
  /** The bot's UDP address from SELECT_PROTOCOL. */
  udpPeer: { address: string; port: number } | null;
}

export interface ReceivedFrame {
  /** Decrypted RTP payload (an Opus frame; F8 FF FE is Opus silence). */
  opus: Buffer;
  at: number;
  seq: number;
  timestamp: number;
  /** The bot DAVE-encrypted this frame (E2EE); `opus` is then what a user decrypted. */
  dave: boolean;
  /** Simulated users who decrypted it (DAVE frames only). */
  decryptedBy: string[];
}

export interface ReceivedAudio {
  frames: ReceivedFrame[];
  /** op 5 SPEAKING from the bot. */
  speaking: { speaking: number; at: number }[];
}

/** One voice gateway payload (JSON), in or out, as the emulator saw it. */
export interface VoiceGatewayEvent {
  guildId: string | null;
  op: number;
  d: unknown;
  seq?: number;
  dir: 'in' | 'out';
  at: number;
  /** A binary (DAVE) message. */
  binary?: boolean;
}

export interface SpeakParams {
  guildId: string;
  userId: string;
  /** 48 kHz stereo interleaved s16 samples. */
  pcm: Int16Array;
  /** 'realtime' (default): one 20 ms frame every 20 ms; 'fast': one every 2 ms. */
  pace?: 'realtime' | 'fast';
}

export interface EmuVoice {
  /** The self-signed CA/server certificate of the voice gateway (PEM), trusted in-process. */
  readonly caCertPem: string;
  /** The same certificate as a file, for NODE_EXTRA_CA_CERTS of child processes. */
  readonly caCertFile: string;
  /** 127.0.0.1:PORT of the voice gateway, as VOICE_SERVER_UPDATE carries it. */
  readonly endpoint: string;
  /** VOICE_STATE_UPDATE for a user joining (or moving to) a voice channel; op 11 to the bot if it is in that channel. */
  /**
   * `announceDelayMs` (fault): op 11 reaches the bot that much later, after the DAVE Add proposal for the user (a race
   * seen on Discord: the bot's library rejects an Add for a user it has not been told about).
   */
  userJoinsVoice(p: { guildId: string; channelId: string; userId: string; announceDelayMs?: number }): void;
  /** VOICE_STATE_UPDATE with channel_id null; op 13 to the bot if it was in that channel. */
  userLeavesVoice(p: { guildId: string; userId: string }): void;
  /** The bot's voice connection in a guild (null when it is not in a voice channel there). */
  connection(guildId: string): VoiceConnInfo | null;
  /** Resolves once the bot's UDP is set up and the session described. */
  waitForConnection(guildId: string, opts?: { timeoutMs?: number }): Promise<VoiceConnInfo>;
  /**
   * A user speaks: op 5 SPEAKING, then 20 ms Opus frames over RTP, then 5 silence frames, then nothing.
   * The user must be in the bot's voice channel (userJoinsVoice). Stops early if the bot leaves.
   */
  speak(p: SpeakParams): Promise<void>;
  /** What the bot sent in this guild (copies). */
  received(guildId: string): ReceivedAudio;
  /** All received frames decoded to 48 kHz stereo PCM (silence frames included, lost frames not filled in). */
  decodeReceived(guildId: string): Int16Array;
  clearReceived(guildId: string): void;
  /** Closes the bot's voice WebSocket without a close frame (1006): the client resumes (op 7 -> op 9). */
  dropVoice(guildId: string): void;
  /** The bot is kicked: VOICE_STATE_UPDATE with channel_id null, voice WebSocket closed with 4014. */
  disconnectBot(guildId: string): void;
  /**
   * Fault: the bot's next join in this guild gets a VOICE_SERVER_UPDATE whose endpoint nothing listens on
   * (127.0.0.1:1), so its voice WebSocket fails to connect (ECONNREFUSED); later joins are normal.
   */
  unreachableNextJoin(guildId: string): void;

  /** Resolves once the bot's channel's DAVE group holds the bot and every user there, settled (at once with DAVE off). */
  waitForDave(guildId: string, opts?: { timeoutMs?: number }): Promise<true>;
  /** DAVE: groups, simulated members' state, faults (see voice/dave/api.ts). */
  readonly dave: EmuDave;
  /** Voice gateway payloads in and out (HELLO, IDENTIFY, READY, ..., heartbeats included). */
  readonly events: VoiceGatewayEvent[];
  /** Protocol errors the emulator saw from the bot (bad IDENTIFY, undecryptable RTP, unknown opcodes, ...). */
  readonly violations: string[];
  readonly identifies: number;
  readonly resumes: number;
}
