/** The voice side's state: the bot's voice session per guild, simulated speakers, recordings. */
import { randomBytes, randomInt } from 'node:crypto';
import { WebSocket } from 'ws';
import type { EmuContext } from '../context.js';
import type { ReceivedAudio, VoiceConnInfo, VoiceGatewayEvent, VoiceMode } from './types.js';
import type { UdpPeer } from './udp.js';
import { ResumableSession } from '../resumable.js';
import { DaveGroup, type DaveLink } from './dave/group.js';
import type { SimDaveMember } from './dave/sim-member.js';

export interface VoicePayload {
  op: number;
  d: unknown;
  seq?: number;
  /** A binary (DAVE) message: sent as `u16 seq | u8 op | bin`; `d` is then a short description for the log. */
  bin?: Buffer;
}

/** Sends a JSON or binary payload on a voice socket and records it. */
export function sendVoice(ws: WebSocket, guildId: string | null, p: VoicePayload, log: VoiceGatewayEvent[]): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  const binary = p.bin !== undefined;
  log.push({
    guildId,
    op: p.op,
    d: p.d,
    ...(p.seq !== undefined ? { seq: p.seq } : {}),
    dir: 'out',
    at: Date.now(),
    ...(binary ? { binary } : {}),
  });
  if (!p.bin) return ws.send(JSON.stringify(p));
  const head = Buffer.from([((p.seq ?? 0) >> 8) & 0xff, (p.seq ?? 0) & 0xff, p.op]);
  ws.send(Buffer.concat([head, p.bin]));
}

/** The bot's voice session in one guild, from VOICE_SERVER_UPDATE until it leaves. */
export class BotVoiceSession extends ResumableSession<VoicePayload> {
  ssrc = 0;
  mode: VoiceMode | null = null;
  secretKey: Buffer | null = null;
  udpPeer: UdpPeer | null = null;
  identified = false;
  ready = false;
  /** DAVE: the protocol version in SESSION_DESCRIPTION, the bot's link into the channel's group. */
  daveVersion = 0;
  daveLink: DaveLink | null = null;
  /** When the bot's last DAVE-encrypted frame arrived (0: never). */
  lastDaveFrameAt = 0;

  constructor(
    readonly guildId: string,
    public channelId: string,
    /** The bot's main gateway session id, as VOICE_STATE_UPDATE carried it. */
    public sessionId: string,
    public token: string,
    private readonly log: VoiceGatewayEvent[],
  ) {
    super(
      1000,
      (p) => p.seq,
      (ws, p) => sendVoice(ws, guildId, p, log),
    );
  }

  /** A payload without sequence number (HELLO, READY, SESSION_DESCRIPTION, ACKs, RESUMED). */
  send(op: number, d: unknown): void {
    if (this.ws) sendVoice(this.ws, this.guildId, { op, d }, this.log);
  }

  /** A sequenced event (op 5, 11, 13): kept for replay after a RESUME; sent now if the bot is connected. */
  sendEvent(op: number, d: unknown): void {
    this.sequenced((seq) => ({ op, d, seq }));
  }

  /** A sequenced binary (DAVE) message, replayed after a RESUME like the JSON events. */
  sendBinary(op: number, bin: Buffer): void {
    this.sequenced((seq) => ({ op, d: { bytes: bin.length }, seq, bin }));
  }

  /** A binary frame outside the sequence (fault injection: malformed frames); `raw` is sent as is when given. */
  sendRawBinary(op: number, bin: Buffer, raw?: Buffer): void {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    this.log.push({ guildId: this.guildId, op, d: { bytes: bin.length, fault: true }, dir: 'out', at: Date.now(), binary: true });
    this.ws.send(raw ?? Buffer.concat([Buffer.from([(this.seq >> 8) & 0xff, this.seq & 0xff, op]), bin]));
  }
}

/** A simulated user's RTP stream in one guild. */
export interface SimSpeaker {
  ssrc: number;
  seq: number;
  timestamp: number;
  nonce: number;
  /** Date.now() when the last talk spurt ended (the RTP clock keeps running in between). */
  lastEnd: number;
  active: boolean;
  /** Fault injection: this many of the next DAVE frames go out corrupted (undecryptable). */
  corrupt: number;
}

export class VoiceWorld {
  readonly sessions = new Map<string, BotVoiceSession>();
  /** DAVE: one group per voice channel, one simulated client per user in a voice channel (`guild:user`). */
  readonly daveGroups = new Map<string, DaveGroup>();
  readonly daveSims = new Map<string, SimDaveMember>();
  /** What simulated users sent: frames and how many were DAVE-encrypted (`guild:user`). */
  readonly sent = new Map<string, { frames: number; dave: number }>();
  readonly received = new Map<string, ReceivedAudio>();
  readonly speakers = new Map<string, SimSpeaker>();
  readonly events: VoiceGatewayEvent[] = [];
  readonly violations: string[] = [];
  readonly stats = { identifies: 0, resumes: 0 };
  /** DAVE frames from the bot that no simulated user could decrypt. */
  undecryptable = 0;
  /** Fault: guilds whose next bot voice session gets op 27 before op 25. */
  readonly earlyProposals = new Set<string>();
  private readonly ssrcs = new Set<number>();

  constructor(
    readonly ctx: EmuContext,
    readonly settings: { heartbeatIntervalMs: number; modes: VoiceMode[]; dave: boolean },
    readonly udpPort: () => number,
  ) {}

  newSsrc(): number {
    let ssrc = 0;
    while (ssrc === 0 || this.ssrcs.has(ssrc)) ssrc = randomInt(1, 2 ** 31);
    this.ssrcs.add(ssrc);
    return ssrc;
  }

  /** True for any SSRC handed out by this emulator (a retired bot session's packets are then ignored). */
  knowsSsrc(ssrc: number): boolean {
    return this.ssrcs.has(ssrc);
  }

  newToken(): string {
    return randomBytes(8).toString('hex');
  }

  receivedFor(guildId: string): ReceivedAudio {
    let r = this.received.get(guildId);
    if (!r) this.received.set(guildId, (r = { frames: [], speaking: [] }));
    return r;
  }

  speaker(guildId: string, userId: string): SimSpeaker {
    const key = `${guildId}:${userId}`;
    let s = this.speakers.get(key);
    if (!s) {
      const [seq, timestamp] = [randomInt(0, 2 ** 16), randomInt(0, 2 ** 31)];
      s = { ssrc: this.newSsrc(), seq, timestamp, nonce: 0, lastEnd: Date.now(), active: false, corrupt: 0 };
      this.speakers.set(key, s);
    }
    return s;
  }

  daveGroup(channelId: string): DaveGroup {
    let g = this.daveGroups.get(channelId);
    if (!g) this.daveGroups.set(channelId, (g = new DaveGroup(channelId, (m) => this.violation(m))));
    return g;
  }

  violation(msg: string): void {
    this.violations.push(msg);
  }

  info(s: BotVoiceSession): VoiceConnInfo {
    const vs = this.ctx.state.voiceStates.get(`${s.guildId}:${this.ctx.state.botUser.id}`);
    return {
      guildId: s.guildId,
      channelId: s.channelId,
      ssrc: s.ssrc,
      mode: s.mode,
      selfDeaf: vs?.selfDeaf ?? false,
      selfMute: vs?.selfMute ?? false,
      ready: s.ready,
      udpPeer: s.udpPeer ? { ...s.udpPeer } : null,
    };
  }
}
