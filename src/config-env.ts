/**
 * Validation of the environment variables Eos understands. Works on a plain env object that is passed in
 * (src/config.ts is the only module that touches process.env). Empty values count as absent.
 */
import { z } from 'zod';
import { ConfigError, problemsOf } from './config-issues.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const STT_PROVIDERS = ['openai', 'offline'] as const;
export const TTS_PROVIDERS = ['google', 'openai', 'espeak', 'flite'] as const;

const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const intString = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of milliseconds')
  .transform(Number)
  .pipe(z.number().int().min(1000).max(3_600_000));

export const envSchema = z.object({
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_API_URL: httpUrl.default('https://discord.com/api'),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: httpUrl.optional(),
  EOS_CHAT_MODEL: z.string().default('gpt-5.4-mini'),
  EOS_DATA_DIR: z.string().optional(),
  EOS_CONFIG: z.string().optional(),
  EOS_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  EOS_OWNER_IDS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(z.string().regex(/^\S+$/, 'must be comma-separated IDs without spaces')))
    .default([]),
  EOS_LLM_TIMEOUT_MS: intString.default(60_000),
  EOS_STT_PROVIDER: z.enum(STT_PROVIDERS).default('openai'),
  EOS_TTS_PROVIDER: z.enum(TTS_PROVIDERS).default('google'),
  EOS_STT_MODEL: z.string().default('gpt-transcribe'),
  EOS_TTS_VOICE: z.string().optional(),
  EOS_STT_BASE_URL: httpUrl.optional(),
  EOS_STT_API_KEY: z.string().optional(),
  EOS_WHISPER_MODEL: z.string().optional(),
  EOS_FINETUNE_API_KEY: z.string().optional(),
  TOGETHER_API_KEY: z.string().optional(),
  /** Sharding (src/shard): `auto` (Discord's recommendation) or a number of shards; absent = one process, no manager. */
  EOS_SHARDS: z
    .union([
      z.literal('auto'),
      z.string().regex(/^\d+$/, 'must be auto or a whole number').transform(Number).pipe(z.number().int().min(1).max(4096)),
    ])
    .optional(),
  /** The shard IDs this host runs (comma-separated, e.g. 0,1); default all. */
  EOS_SHARD_IDS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated shard numbers such as 0,1')
    .transform((s) => [...new Set(s.split(',').map(Number))])
    .optional(),
  /** Wait between two shard spawns (Discord allows one IDENTIFY per 5 s per max_concurrency bucket). */
  EOS_SHARD_SPAWN_DELAY_MS: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .pipe(z.number().int().max(60_000))
    .default(5500),
  /** Set by discord.js's ShardingManager in each shard process (never by hand). */
  SHARDING_MANAGER: z.string().optional(),
  SHARDS: z.string().regex(/^\d+$/).transform(Number).optional(),
  SHARD_COUNT: z.string().regex(/^\d+$/).transform(Number).optional(),
});

export type EnvValues = z.output<typeof envSchema>;
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof EnvValues)[];

/** Picks the known keys, trims them and drops empty ones. */
function pickKnown(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ENV_KEYS) {
    const value = env[key]?.trim();
    if (value) out[key] = value;
  }
  return out;
}

/** Validates the env; throws ConfigError naming the first bad variable(s). */
export function parseEnv(env: Readonly<Record<string, string | undefined>>): EnvValues {
  const result = envSchema.safeParse(pickKnown(env), { reportInput: true });
  if (result.success) return result.data;
  const problems = problemsOf(result.error);
  const text = problems.map((p) => `Invalid env ${p.key}: ${p.text}`).join('; ');
  throw new ConfigError(text, problems[0]?.key ?? '');
}
