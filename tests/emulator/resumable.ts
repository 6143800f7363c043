/**
 * What the main gateway session and a voice gateway session share: the socket the session is bound to, and the
 * sequenced payloads kept so that a RESUME can replay what the bot missed.
 */
import { WebSocket } from 'ws';

export class ResumableSession<P> {
  /** The socket that identified or resumed this session; null while the bot is disconnected. */
  ws: WebSocket | null = null;
  /** The last sequence number handed out (0 before the first). */
  seq = 0;
  private readonly buffer: P[] = [];

  constructor(
    private readonly maxBuffer: number,
    private readonly seqOf: (p: P) => number | null | undefined,
    private readonly sendOn: (ws: WebSocket, p: P) => void,
  ) {}

  get live(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Builds the payload with the next sequence number, keeps it for replay, and sends it if the bot is connected. */
  protected sequenced(build: (seq: number) => P): void {
    const p = build(++this.seq);
    this.buffer.push(p);
    if (this.buffer.length > this.maxBuffer) this.buffer.shift();
    if (this.ws) this.sendOn(this.ws, p);
  }

  /** The sequence number of the oldest payload still kept (undefined when none is kept). */
  protected oldestSeq(): number | null | undefined {
    const first = this.buffer[0];
    return first === undefined ? undefined : this.seqOf(first);
  }

  /** Re-sends the payloads the bot has not seen (sequence number > `seq`); returns how many. */
  replayAfter(seq: number): number {
    if (!this.ws) return 0;
    const missed = this.buffer.filter((p) => (this.seqOf(p) ?? 0) > seq);
    for (const p of missed) this.sendOn(this.ws, p);
    return missed.length;
  }
}
