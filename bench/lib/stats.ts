/** Small numeric helpers shared by the benches. */

/** Nearest-rank percentile (p in 0..100) of an unsorted list; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export const MiB = 1024 * 1024;

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}

/** A fixed-decimals number, or "n/a" for NaN. */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** Samples process RSS every `everyMs` until stopped; returns the peak (own process). */
export function rssSampler(everyMs: number): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** A full GC: global.gc when node ran with --expose-gc, else one obtained through V8 flags (bench processes only). */
export async function forceGc(): Promise<void> {
  if (typeof globalThis.gc === 'function') return void globalThis.gc();
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
