/**
 * Watches the emulator for the bot's replies. A user message is sent with say(); it resolves when the emulator
 * records a POST /channels/{id}/messages whose message_reference points at it. Times come from the emulator's
 * own records (ms resolution): gatewayEvents[].at of the MESSAGE_CREATE dispatch, requests[].at of the POST.
 * The emulator has no event hook, so the watcher wraps the push() of its requests array (no emulator change)
 * and scans new records right after (plus a 5 ms fallback timer).
 */
import type { DiscordEmulator, RecordedRequest, UserSaysParams } from '../../tests/emulator/index.js';

export interface ReplyHit {
  messageId: string;
  /** Emulator clock (Date.now()) when MESSAGE_CREATE went out on the gateway. */
  dispatchedAt: number;
  /** Emulator clock when the reply's POST arrived. */
  repliedAt: number;
  /** The reply's text (the bench checks it is the LLM's answer, not an error notice). */
  content: string;
}

const CREATE_ROUTE = '/channels/{channel_id}/messages';

type CreateBody = { content?: string; message_reference?: { message_id?: string } } | undefined;

export class ReplyWatcher {
  private cursor: number;
  private readonly waiting = new Map<string, { dispatchedAt: number; resolve: (hit: ReplyHit) => void }>();
  private readonly timer: NodeJS.Timeout;
  private scheduled = false;
  private readonly restorePush: () => void;

  constructor(private readonly emu: DiscordEmulator) {
    const requests = emu.requests;
    this.cursor = requests.length;
    const original = requests.push;
    requests.push = (...items: RecordedRequest[]) => {
      const n = original.apply(requests, items);
      this.schedule();
      return n;
    };
    this.restorePush = () => void (requests.push = original);
    this.timer = setInterval(() => this.scan(), 5);
  }

  /** Sends a user message; resolves with its timings once the bot's reply to it arrives. */
  say(p: UserSaysParams): Promise<ReplyHit> {
    const m = this.emu.userSays(p);
    const dispatchedAt = this.dispatchTime(m.id);
    return new Promise((resolve) => this.waiting.set(m.id, { dispatchedAt, resolve }));
  }

  /** Requests recorded since `from` (an index into emu.requests), counted by "METHOD route". */
  countRoutes(from: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (const rec of this.emu.requests.slice(from)) {
      const key = `${rec.method} ${rec.route || rec.path}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  pending(): number {
    return this.waiting.size;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.restorePush();
  }

  private dispatchTime(messageId: string): number {
    const events = this.emu.gatewayEvents;
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (e?.dir === 'out' && e.t === 'MESSAGE_CREATE' && (e.d as { id?: string }).id === messageId) return e.at;
    }
    throw new Error(`bench: no MESSAGE_CREATE dispatch recorded for ${messageId} (is the bot connected?)`);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.scan();
    });
  }

  private scan(): void {
    const requests = this.emu.requests;
    while (this.cursor < requests.length) {
      const rec = requests[this.cursor] as RecordedRequest;
      if (rec.method === 'POST' && rec.route === CREATE_ROUTE) {
        if (rec.body === undefined && rec.status === 0) return; // body not parsed yet: look again later
        const body = rec.body as CreateBody;
        const ref = body?.message_reference?.message_id;
        const w = ref === undefined ? undefined : this.waiting.get(ref);
        if (ref !== undefined && w) {
          this.waiting.delete(ref);
          w.resolve({ messageId: ref, dispatchedAt: w.dispatchedAt, repliedAt: rec.at, content: body?.content ?? '' });
        }
      }
      this.cursor++;
    }
  }
}
