/** One gateway session: sequence numbers, the replay buffer used by RESUME, and the socket it is bound to. */
import { WebSocket } from 'ws';
import type { GatewayEvent } from './types.js';

export interface GatewayPayload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

const MAX_BUFFER = 5000;

/** Sends a payload on a socket and records it (dir 'out'). */
export function sendPayload(ws: WebSocket, p: GatewayPayload, log: GatewayEvent[]): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  log.push({ op: p.op, ...(p.t ? { t: p.t } : {}), ...(p.s !== null ? { s: p.s } : {}), d: p.d, dir: 'out', at: Date.now() });
  ws.send(JSON.stringify(p));
}

export class GatewaySession {
  seq = 0;
  /** The socket that identified or resumed this session; null while the bot is disconnected. */
  ws: WebSocket | null = null;
  private readonly buffer: GatewayPayload[] = [];

  constructor(
    readonly id: string,
    readonly intents: number,
    private readonly log: GatewayEvent[],
  ) {}

  get live(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Assigns the next sequence number, keeps the payload for replay, and sends it if the bot is connected. */
  dispatch(t: string, d: unknown): void {
    const p: GatewayPayload = { op: 0, t, s: ++this.seq, d };
    this.buffer.push(p);
    if (this.buffer.length > MAX_BUFFER) this.buffer.shift();
    if (this.ws) sendPayload(this.ws, p, this.log);
  }

  /** True when every dispatch after `seq` is still in the buffer (a RESUME from there can be honoured). */
  canResumeFrom(seq: number): boolean {
    if (seq > this.seq || seq < 0) return false;
    const first = this.buffer[0];
    return first === undefined || first.s === null || first.s <= seq + 1;
  }

  /** Re-sends the dispatches the bot has not seen (s > seq); returns how many. */
  replayAfter(seq: number): number {
    if (!this.ws) return 0;
    const missed = this.buffer.filter((p) => (p.s ?? 0) > seq);
    for (const p of missed) sendPayload(this.ws, p, this.log);
    return missed.length;
  }
}
