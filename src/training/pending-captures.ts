/**
 * Replies being captured, per channel. A reply sent whole carries its 👍/👎 buttons in its one send and is
 * captured once that send is answered, but users (and Discord's gateway) can see the message first: a click,
 * a reaction or a `!correct` can reach Eos before it knows the message's id. A lookup that misses waits for
 * the captures pending in its channel (bounded) and looks again, instead of answering "not one of my replies".
 */

/** Longest wait for pending captures: under Discord's 3 s to answer an interaction. */
export const PENDING_WAIT_MS = 2500;

export class PendingCaptures {
  private readonly byChannel = new Map<string, Set<Promise<void>>>();

  constructor(private readonly waitMs = PENDING_WAIT_MS) {}

  /** Registers a capture in a channel; the returned function ends it (captured, failed or abandoned). Idempotent. */
  begin(channelId: string): () => void {
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    let set = this.byChannel.get(channelId);
    if (!set) this.byChannel.set(channelId, (set = new Set()));
    set.add(done);
    return () => {
      end();
      set.delete(done);
      if (set.size === 0 && this.byChannel.get(channelId) === set) this.byChannel.delete(channelId);
    };
  }

  pendingIn(channelId: string): number {
    return this.byChannel.get(channelId)?.size ?? 0;
  }

  /** Resolves once the captures pending in the channel now have ended, or after the bound; at once when none. */
  async settle(channelId: string): Promise<void> {
    const set = this.byChannel.get(channelId);
    if (!set?.size) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.waitMs)));
    await Promise.race([Promise.all([...set]), bound]);
    clearTimeout(timer);
  }
}

const registries = new WeakMap<object, PendingCaptures>();

/**
 * The pending captures of one candidate store. Every FeedbackService over the same store (the owners' one that
 * captures, each server's one that rates) must see the same captures, so they are kept beside the store.
 */
export function pendingCapturesOf(store: object): PendingCaptures {
  let p = registries.get(store);
  if (!p) registries.set(store, (p = new PendingCaptures()));
  return p;
}
