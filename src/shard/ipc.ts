/**
 * Requests and answers over discord.js's sharding IPC (Shard#send / process.send). Our messages carry `_eos`
 * so they never collide with discord.js's own (`_eval`, `_fetchProp`, `_ready`...). Every request has a timeout:
 * a peer that does not answer is reported, never waited for forever.
 */

export type EosMessage =
  | { _eos: 'req'; id: number; op: string; args: unknown }
  | { _eos: 'res'; id: number; ok: true; result: unknown }
  | { _eos: 'res'; id: number; ok: false; error: string }
  | { _eos: 'event'; op: string; args: unknown };

export interface Transport {
  send(msg: EosMessage): void;
  onMessage(fn: (msg: unknown) => void): void;
}

export class IpcTimeoutError extends Error {
  constructor(op: string, ms: number) {
    super(`no answer to ${op} within ${ms} ms`);
    this.name = 'IpcTimeoutError';
  }
}

export type Handler = (args: unknown) => unknown;

export function isEosMessage(msg: unknown): msg is EosMessage {
  return typeof msg === 'object' && msg !== null && typeof (msg as { _eos?: unknown })._eos === 'string';
}

/** One end of an IPC link: sends requests with timeouts, answers requests with registered handlers, emits events. */
export class IpcPeer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, ((args: unknown) => void)[]>();

  constructor(private readonly transport: Transport) {
    transport.onMessage((msg) => {
      if (isEosMessage(msg)) void this.receive(msg);
    });
  }

  handle(op: string, fn: Handler): void {
    this.handlers.set(op, fn);
  }

  on(op: string, fn: (args: unknown) => void): void {
    this.listeners.set(op, [...(this.listeners.get(op) ?? []), fn]);
  }

  emit(op: string, args: unknown): void {
    this.safeSend({ _eos: 'event', op, args });
  }

  request<T = unknown>(op: string, args: unknown, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new IpcTimeoutError(op, timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      if (!this.safeSend({ _eos: 'req', id, op, args })) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new Error(`cannot send ${op}: the other end is gone`));
      }
    });
  }

  /** Fails every pending request (the other end died). */
  failAll(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
      this.pending.delete(id);
    }
  }

  private safeSend(msg: EosMessage): boolean {
    try {
      this.transport.send(msg);
      return true;
    } catch {
      return false;
    }
  }

  private async receive(msg: EosMessage): Promise<void> {
    if (msg._eos === 'res') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
      return;
    }
    if (msg._eos === 'event') {
      for (const fn of this.listeners.get(msg.op) ?? []) fn(msg.args);
      return;
    }
    const handler = this.handlers.get(msg.op);
    try {
      if (!handler) throw new Error(`unknown request ${msg.op}`);
      const result = await handler(msg.args);
      this.safeSend({ _eos: 'res', id: msg.id, ok: true, result });
    } catch (err) {
      this.safeSend({ _eos: 'res', id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
