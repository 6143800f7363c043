import type { LatencyStats } from './types.js';

/** Nearest-rank percentile (p in 0..100) of already sorted values; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

/** p50, p95 (nearest rank), mean and max of latencies in ms; all 0 for an empty list. */
export function latencyStats(values: readonly number[]): LatencyStats {
  if (values.length === 0) return { p50: 0, p95: 0, mean: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sum / sorted.length,
    max: sorted[sorted.length - 1] ?? 0,
  };
}
