/** Small seeded PRNG (mulberry32) so property-style tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from empty list');
  return item;
}

export function int(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * How many inputs a fuzz or property test runs: `ciCount` (what CI runs) times EOS_FUZZ_SCALE (default 1),
 * at least 1. EOS_FUZZ_SCALE=0.1 for a quick local pass, 10 for a long exploration (with EOS_FUZZ_SEED=random).
 * The one knob for every seeded test's count (tests/hostile/*fuzz*, tests/unit/conversation/split).
 */
export function fuzzCount(ciCount: number): number {
  const scale = Number(process.env.EOS_FUZZ_SCALE ?? '1');
  return Number.isFinite(scale) && scale > 0 ? Math.max(1, Math.round(ciCount * scale)) : ciCount;
}

/** EOS_FUZZ_SEED=<n> replays a run; EOS_FUZZ_SEED=random explores a new one. Default: a fixed seed. */
export function fuzzSeed(fallback: number): number {
  const raw = process.env.EOS_FUZZ_SEED;
  if (raw === 'random') return Math.floor(Math.random() * 2 ** 31);
  return raw && /^\d+$/.test(raw) ? Number(raw) : fallback;
}
