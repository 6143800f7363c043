/** The child side of the bench IPC (see ipc.ts): init -> start the bot -> ready; mem -> sample; stop -> exit. */
import { sampleMemory, type ChildInit, type ChildMessage, type ParentMessage } from './ipc.js';

export interface RunningBot {
  stop(): Promise<void>;
  /** messageCreate events seen (bare bot only). */
  seen?: () => number;
}

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

/** Answers the parent's messages for the bot `start` creates. Call once from a child entry script. */
export function serveChild(start: (init: ChildInit) => Promise<RunningBot>): void {
  let bot: RunningBot | null = null;
  process.on('message', (raw: ParentMessage) => {
    if (raw.type === 'init') {
      start(raw).then(
        (b) => {
          bot = b;
          send({ type: 'ready' });
        },
        (err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
    } else if (raw.type === 'mem') {
      const seen = bot?.seen?.();
      send({ type: 'mem', ...(seen === undefined ? {} : { seen }), ...sampleMemory() });
    } else if (raw.type === 'stop') {
      void (bot?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
    }
  });
}
