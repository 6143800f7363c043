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
}

/** Milliseconds since the Unix epoch encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
