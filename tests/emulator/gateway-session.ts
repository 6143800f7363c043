/** One gateway session: sequence numbers, the replay buffer used by RESUME, and the socket it is bound to. */
import { WebSocket } from 'ws';
import { ResumableSession } from './resumable.js';
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

export class GatewaySession extends ResumableSession<GatewayPayload> {
  constructor(
    readonly id: string,
    readonly intents: number,
    log: GatewayEvent[],
  ) {
    super(
      MAX_BUFFER,
      (p) => p.s,
      (ws, p) => sendPayload(ws, p, log),
    );
  }

  /** Assigns the next sequence number, keeps the payload for replay, and sends it if the bot is connected. */
  dispatch(t: string, d: unknown): void {
    this.sequenced((s) => ({ op: 0, t, s, d }));
  }

  /** True when every dispatch after `seq` is still in the buffer (a RESUME from there can be honoured). */
  canResumeFrom(seq: number): boolean {
    if (seq > this.seq || seq < 0) return false;
    const oldest = this.oldestSeq();
    return oldest === undefined || oldest === null || oldest <= seq + 1;
  }
}
