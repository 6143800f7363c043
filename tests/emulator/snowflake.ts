/** Discord snowflakes: (ms since 2015) << 22 | worker << 17 | increment. Ids from one generator always increase. */
const DISCORD_EPOCH = 1420070400000n;

export class SnowflakeGenerator {
  private last = 0n;

  constructor(private readonly worker = 1n) {}

  next(at: number = Date.now()): string {
    const base = ((BigInt(at) - DISCORD_EPOCH) << 22n) | (this.worker << 17n);
    const id = base > this.last ? base : this.last + 1n;
    this.last = id;
    return id.toString();
  }

  /** The next id whose shard `(id >> 22) % count` is `shard` (moves the timestamp forward by at most count-1 ms). */
  nextOnShard(shard: number, count: number, at: number = Date.now()): string {
    let ms = BigInt(at) - DISCORD_EPOCH;
    const lastMs = this.last >> 22n;
    if (ms <= lastMs) ms = lastMs + 1n;
    while (ms % BigInt(count) !== BigInt(shard)) ms++;
    return this.next(Number(ms + DISCORD_EPOCH));
  }
}

/** Milliseconds since the Unix epoch encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
