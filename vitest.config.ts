import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Workers: two per core by default. Most test time is spent waiting on sockets, child processes and timers
 * (emulator, fake LLM, real engines), not on CPU, so one worker per core leaves cores idle; EOS_TEST_WORKERS=n
 * overrides (e.g. 1 to debug).
 */
function workers(): number {
  const fromEnv = Number(process.env.EOS_TEST_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.max(2, availableParallelism() * 2);
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: workers(),
    reporters: ['default'],
  },
});
