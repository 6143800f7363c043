/** Polling waits with failure messages that say what the emulator saw. */

export interface WaitOptions {
  timeoutMs?: number;
  label?: string;
  intervalMs?: number;
}

/** What a condition may return: a falsy value means "not yet". */
export type Condition<T> = () => T | undefined | null | false | PromiseLike<T | undefined | null | false>;

/**
 * Resolves with the first truthy value of `fn` (polled every intervalMs, default 10 ms); rejects after timeoutMs
 * (default 10 s) with the label and `describe()`'s summary of the emulator state. Errors thrown by fn propagate.
 * `fn` may be async (e.g. reading a file): its promise is awaited before the next poll, never taken as the value.
 */
export function waitFor<T>(fn: Condition<T>, opts: WaitOptions, describe: () => string): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const started = Date.now();
  return new Promise<T>((resolve, reject) => {
    const tick = async (): Promise<void> => {
      let value: T | undefined | null | false;
      try {
        value = await fn();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (value !== undefined && value !== null && value !== false) return resolve(value);
      if (Date.now() - started >= timeoutMs) {
        const what = opts.label ?? 'condition';
        return reject(new Error(`emulator.waitFor: timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`));
      }
      setTimeout(() => void tick(), opts.intervalMs ?? 10);
    };
    void tick();
  });
}
