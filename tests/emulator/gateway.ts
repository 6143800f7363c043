/**
 * Text gateway v10 (JSON, no compression): HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME -> replay + RESUMED,
 * op 3/4/8 from the bot, intents, and the fault hooks (drop, op 7, op 9). A voice gateway would live in its own file.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { applyContentIntent, intentFor, intentName } from './gateway-intents.js';
import { memberChunk, readyPayload } from './gateway-ready.js';
import { GatewaySession, sendPayload, type GatewayPayload } from './gateway-session.js';
import { guildCreatePayload, type Json } from './objects.js';
import { checkIdentifyShard, guildOfDispatch, shardReceives, type ShardMisroute, type ShardPair } from './gateway-shards.js';
import type { EmuState } from './state.js';

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** ws://127.0.0.1:PORT, known once the HTTP server listens. */
  wsBase: () => string;
  /** Called with every dispatch before intent filtering (contract checks of emitted payloads). */
  checkDispatch?: (t: string, d: Json) => void;
  /** op 4 VOICE_STATE_UPDATE from the bot (already recorded). */
  onVoiceStateUpdate?: (d: Json, session: GatewaySession) => void;
  /** IDENTIFY with fewer shards than this is closed with 4011 (default 1). */
  requiredShards?: () => number;
}

export const GATEWAY_PATH = '/gateway';
export const RESUME_PATH = '/gateway-resume';
/** Close codes after which the session can still be resumed. */
const RESUMABLE_CLOSE = new Set([1006, 4000, 4001, 4002, 4003, 4005, 4008, 4200]);

interface Conn {
  ws: WebSocket;
  session: GatewaySession | null;
  serverCloseCode: number | null;
}

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private readonly sessions = new Map<string, GatewaySession>();
  /** The live (or resumable) session of each shard, keyed "id/count". */
  private readonly current = new Map<string, GatewaySession>();
  private readonly shardOf = new WeakMap<GatewaySession, ShardPair>();
  identifies = 0;
  /** Every accepted IDENTIFY's shard, in order. */
  readonly identifiedShards: ShardPair[] = [];
  /** Dispatches that reached a session not owning their guild, and op 4 for a guild of another shard (must stay empty). */
  readonly shardMisroutes: ShardMisroute[] = [];
  resumes = 0;
  /** Dispatches not delivered because the session lacks an intent. */
  readonly withheld: { t: string; intent: string; at: number }[] = [];

  constructor(
    private readonly state: EmuState,
    private readonly opts: GatewayOptions,
  ) {}

  /** Takes over WebSocket upgrades on the gateway paths; returns false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== GATEWAY_PATH && url.pathname !== RESUME_PATH) return false;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
    return true;
  }

  get session(): GatewaySession | null {
    return this.current.values().next().value ?? null;
  }

  /** True when at least one shard's session exists and every existing one is connected (`shard`: that shard only). */
  connected(shard?: number): boolean {
    const sessions = [...this.current.values()].filter((s) => shard === undefined || this.shardOf.get(s)?.[0] === shard);
    return sessions.length > 0 && sessions.every((s) => s.live);
  }

  /** The shards with a session, as [id, count]. */
  shards(): ShardPair[] {
    return [...this.current.values()].map((s) => this.shardOf.get(s) ?? [0, 1]);
  }

  /** Sends (or buffers, while the bot is disconnected) a dispatch to the session of the shard owning its guild. */
  dispatch(t: string, d: Json): void {
    const guildId = guildOfDispatch(t, d);
    for (const session of this.current.values()) {
      if (shardReceives(this.shardOf.get(session) ?? [0, 1], guildId)) this.dispatchTo(session, t, d);
    }
  }

  private dispatchTo(session: GatewaySession, t: string, d: Json): void {
    const shard = this.shardOf.get(session) ?? [0, 1];
    const guildId = guildOfDispatch(t, d);
    if (!shardReceives(shard, guildId)) this.shardMisroutes.push({ t, guildId, shard });
    this.opts.checkDispatch?.(t, d);
    const need = intentFor(t, d);
    if (need !== 0 && (session.intents & need) === 0) {
      this.withheld.push({ t, intent: intentName(need), at: Date.now() });
      return;
    }
    session.dispatch(t, applyContentIntent(t, d, session.intents, this.state.botUser.id));
  }

  /** Closes the bot's sockets with `code` (1006: no close frame at all); `shard`: only that shard's socket. */
  drop(code = 4000, shard?: number): void {
    for (const conn of this.conns) {
      if (shard !== undefined && (!conn.session || this.shardOf.get(conn.session)?.[0] !== shard)) continue;
      conn.serverCloseCode = code;
      if (code === 1006) conn.ws.terminate();
      else conn.ws.close(code, 'emulator: dropped');
    }
  }

  sendOp(op: number, d: unknown): void {
    for (const session of this.current.values()) if (session.ws) this.send(session.ws, { op, d, s: null, t: null });
  }

  /** op 9; a non-resumable invalidation forgets the sessions so that the bot has to IDENTIFY again. */
  invalidate(resumable: boolean): void {
    this.sendOp(9, resumable);
    if (!resumable) this.current.clear();
  }

  private keyOf(session: GatewaySession): string {
    const [id, count] = this.shardOf.get(session) ?? [0, 1];
    return `${id}/${count}`;
  }

  async close(): Promise<void> {
    for (const conn of this.conns) conn.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private send(ws: WebSocket, p: GatewayPayload): void {
    sendPayload(ws, p, this.state.rec.gatewayEvents);
  }

  private onConnection(ws: WebSocket, url: URL): void {
    const conn: Conn = { ws, session: null, serverCloseCode: null };
    this.conns.add(conn);
    ws.on('close', (code) => this.onClose(conn, code));
    ws.on('error', () => undefined);
    if (url.searchParams.get('v') !== '10') return ws.close(4012, 'Invalid API version');
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json') return ws.close(4002, 'Only JSON encoding is emulated');
    ws.on('message', (raw) => this.onMessage(conn, raw.toString()));
    this.send(ws, { op: 10, d: { heartbeat_interval: this.opts.heartbeatIntervalMs, _trace: ['emulator'] }, s: null, t: null });
  }

  private onClose(conn: Conn, clientCode: number): void {
    this.conns.delete(conn);
    const session = conn.session;
    if (!session || session.ws !== conn.ws) return;
    session.ws = null;
    const code = conn.serverCloseCode ?? clientCode;
    if (!RESUMABLE_CLOSE.has(code) && this.current.get(this.keyOf(session)) === session) this.current.delete(this.keyOf(session));
  }

  private onMessage(conn: Conn, raw: string): void {
    let p: { op?: unknown; d?: unknown };
    try {
      p = JSON.parse(raw) as { op?: unknown; d?: unknown };
    } catch {
      return conn.ws.close(4002, 'Decode error');
    }
    const d = (p.d ?? {}) as Json;
    this.state.rec.gatewayEvents.push({ op: Number(p.op), d: p.d, dir: 'in', at: Date.now() });
    if (p.op === 1) return this.send(conn.ws, { op: 11, d: null, s: null, t: null });
    if (p.op === 2) return this.identify(conn, d);
    if (p.op === 6) return this.resume(conn, d);
    if (!conn.session) return conn.ws.close(4003, 'Not authenticated');
    if (p.op === 3) return void this.state.rec.presences.push(p.d);
    if (p.op === 4) {
      const shard = this.shardOf.get(conn.session) ?? [0, 1];
      const guildId = typeof d.guild_id === 'string' ? d.guild_id : null;
      if (!shardReceives(shard, guildId)) return void this.shardMisroutes.push({ t: 'op 4 VOICE_STATE_UPDATE', guildId, shard });
      this.state.rec.voiceStateUpdates.push(p.d);
      return this.opts.onVoiceStateUpdate?.(d, conn.session);
    }
    if (p.op === 8) return this.dispatchTo(conn.session, 'GUILD_MEMBERS_CHUNK', memberChunk(this.state, d));
    conn.ws.close(4001, 'Unknown opcode');
  }

  private tokenOk(token: unknown): boolean {
    return typeof token === 'string' && token.replace(/^Bot /, '') === this.opts.token;
  }

  private identify(conn: Conn, d: Json): void {
    if (conn.session) return conn.ws.close(4005, 'Already authenticated');
    if (!this.tokenOk(d.token)) return conn.ws.close(4004, 'Authentication failed');
    if (typeof d.intents !== 'number') return conn.ws.close(4013, 'Invalid intent(s)');
    const check = checkIdentifyShard(d.shard, this.opts.requiredShards?.() ?? 1);
    if (!check.ok) return conn.ws.close(check.code, check.reason);
    const session = new GatewaySession(randomBytes(16).toString('hex'), d.intents, this.state.rec.gatewayEvents);
    this.sessions.set(session.id, session);
    this.shardOf.set(session, check.shard);
    this.current.set(this.keyOf(session), session);
    conn.session = session;
    session.ws = conn.ws;
    this.identifies++;
    this.identifiedShards.push(check.shard);
    const resumeUrl = `${this.opts.wsBase()}${RESUME_PATH}`;
    const guilds = [...this.state.guilds.values()].filter((g) => shardReceives(check.shard, g.id));
    session.dispatch(
      'READY',
      readyPayload(this.state, { sessionId: session.id, resumeUrl, shard: [...check.shard], guildIds: guilds.map((g) => g.id) }),
    );
    for (const guild of guilds) this.dispatchTo(session, 'GUILD_CREATE', guildCreatePayload(this.state, guild));
  }

  private resume(conn: Conn, d: Json): void {
    if (!this.tokenOk(d.token)) return conn.ws.close(4004, 'Authentication failed');
    const session = this.sessions.get(String(d.session_id));
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    if (!session || session !== this.current.get(this.keyOf(session)) || !session.canResumeFrom(seq)) {
      return this.send(conn.ws, { op: 9, d: false, s: null, t: null });
    }
    conn.session = session;
    session.ws = conn.ws;
    session.replayAfter(seq);
    this.resumes++;
    session.dispatch('RESUMED', { _trace: ['emulator'] });
  }
}
