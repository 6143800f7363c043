/**
 * Configuration of Eos: environment variables (+ optional .env file) and the behaviour config file.
 * This is the ONLY module that reads process.env, and only as the default of `opts.env`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseEnv as parseDotenv } from 'node:util';
import { parseEnv, type EnvValues } from './config-env.js';
import { ConfigError, problemsOf } from './config-issues.js';
import { behaviourSchema, type BehaviourConfig } from './config-schema.js';

export { ConfigError } from './config-issues.js';
export { LOG_LEVELS, STT_PROVIDERS, TTS_PROVIDERS, ENV_KEYS } from './config-env.js';
export { DEFAULT_SYSTEM_PROMPT } from './config-schema.js';
export type {
  BehaviourConfig,
  ConversationConfig,
  PresenceConfig,
  SlashConfig,
  TrainingConfig,
  UserRoleSet,
  VoiceBehaviour,
} from './config-schema.js';

export type SttProvider = 'openai' | 'offline';
export type TtsProvider = 'google' | 'openai' | 'espeak' | 'flite';

export interface LlmConfig {
  apiKey: string | null;
  baseURL: string;
  model: string;
  timeoutMs: number;
}

export interface AppPaths {
  datasets: string;
  archives: string;
  instructions: string;
  conversations: string;
  logs: string;
  /** <dataDir>/state/eos.json */
  state: string;
}

export interface AppConfig {
  discord: { token: string | null; apiUrl: string };
  llm: LlmConfig | null;
  dataDir: string;
  paths: AppPaths;
  /** Instructions live in <projectRoot>/instructions, INSTRUCTION.md in projectRoot. */
  projectRoot: string;
  logLevel: string;
  /** Path of the behaviour config file that was loaded, null when defaults were used. */
  configFile: string | null;
  voice: {
    sttProvider: SttProvider;
    ttsProvider: TtsProvider;
    sttModel: string;
    ttsVoice: string | null;
    /** Transcription endpoint (default: the LLM endpoint); null when there is none. */
    stt: { baseURL: string; apiKey: string | null } | null;
    /** Offline Whisper model file (ggml); null selects PocketSphinx. */
    whisperModelPath: string | null;
  };
  bot: BehaviourConfig;
  /** Keys of the fine-tuning backends (training.backend): OpenAI-compatible/Azure (default: the LLM key) and Together AI. */
  finetune: { apiKey: string | null; togetherApiKey: string | null };
  /** Sharding (src/shard): `shards` null = one process without a manager; `child` is set inside a shard process. */
  sharding: ShardingConfig;
  /** Every secret value (Discord token, API key) for log redaction. */
  secrets(): string[];
}

export interface ShardingConfig {
  shards: 'auto' | number | null;
  /** Shard IDs this host runs; null = all. */
  shardIds: number[] | null;
  spawnDelayMs: number;
  /** This process is shard `id` of `count`, spawned by discord.js's ShardingManager. */
  child: { id: number; count: number } | null;
}

export interface LoadConfigOptions {
  /** Environment to read; default process.env. Never mutated. */
  env?: NodeJS.ProcessEnv;
  /** Project root; default process.cwd(). */
  cwd?: string;
  /** .env file to merge under env (env wins); default <cwd>/.env when present; false disables. */
  envFile?: string | false;
}

function readDotenv(file: string, explicit: boolean): Record<string, string> {
  if (!existsSync(file)) {
    if (explicit) throw new ConfigError(`Invalid env file: ${file} does not exist`, 'envFile');
    return {};
  }
  const parsed = parseDotenv(readFileSync(file, 'utf8'));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) out[k] = v;
  return out;
}

function mergedEnv(opts: LoadConfigOptions, cwd: string): Record<string, string | undefined> {
  const env = opts.env ?? process.env;
  if (opts.envFile === false) return { ...env };
  const file = opts.envFile === undefined ? join(cwd, '.env') : resolve(cwd, opts.envFile);
  const fromFile = readDotenv(file, opts.envFile !== undefined);
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  return merged;
}

function findConfigFile(env: EnvValues, dataDir: string, cwd: string): string | null {
  if (env.EOS_CONFIG) {
    const file = resolve(cwd, env.EOS_CONFIG);
    if (!existsSync(file)) throw new ConfigError(`Invalid env EOS_CONFIG: ${file} does not exist`, 'EOS_CONFIG');
    return file;
  }
  for (const dir of [dataDir, cwd]) {
    const file = join(dir, 'eos.config.json');
    if (existsSync(file)) return file;
  }
  return null;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Reads and validates the behaviour config file; defaults when file is null. */
export function loadBehaviour(file: string | null, cwd = process.cwd()): BehaviourConfig {
  if (file === null) return behaviourSchema.parse({});
  const where = `[${displayPath(file, cwd)}]`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`Invalid config: cannot read JSON (${why}) ${where}`);
  }
  const result = behaviourSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const problems = problemsOf(result.error);
  const text = problems.map((p) => `${p.key} ${p.text}`).join('; ');
  throw new ConfigError(`Invalid config: ${text} ${where}`, problems[0]?.key ?? '');
}

function llmConfig(env: EnvValues): LlmConfig | null {
  const apiKey = env.OPENAI_API_KEY ?? null;
  const baseURL = env.OPENAI_BASE_URL ?? (apiKey ? 'https://api.openai.com/v1' : null);
  if (baseURL === null) return null;
  return { apiKey, baseURL, model: env.EOS_CHAT_MODEL, timeoutMs: env.EOS_LLM_TIMEOUT_MS };
}

function pathsFor(dataDir: string, projectRoot: string): AppPaths {
  return {
    datasets: join(dataDir, 'datasets'),
    archives: join(dataDir, 'archives'),
    instructions: join(projectRoot, 'instructions'),
    conversations: join(dataDir, 'conversations'),
    logs: join(dataDir, 'logs'),
    state: join(dataDir, 'state', 'eos.json'),
  };
}

/** Loads env + .env + behaviour config. Throws ConfigError naming the bad key. No side effects. */
export function loadConfig(opts: LoadConfigOptions = {}): AppConfig {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const env = parseEnv(mergedEnv(opts, cwd));
  const dataDir = env.EOS_DATA_DIR ? resolve(cwd, env.EOS_DATA_DIR) : cwd;
  const configFile = findConfigFile(env, dataDir, cwd);
  const fileBot = loadBehaviour(configFile, cwd);
  const bot: BehaviourConfig = { ...fileBot, owners: [...new Set([...fileBot.owners, ...env.EOS_OWNER_IDS])] };
  const token = env.DISCORD_TOKEN ?? null;
  const llm = llmConfig(env);
  const secretList = [
    token,
    llm?.apiKey ?? null,
    env.EOS_STT_API_KEY ?? null,
    env.EOS_FINETUNE_API_KEY ?? null,
    env.TOGETHER_API_KEY ?? null,
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
  return {
    discord: { token, apiUrl: env.DISCORD_API_URL },
    llm,
    dataDir,
    paths: pathsFor(dataDir, cwd),
    projectRoot: cwd,
    logLevel: env.EOS_LOG_LEVEL,
    configFile,
    voice: {
      sttProvider: env.EOS_STT_PROVIDER,
      ttsProvider: env.EOS_TTS_PROVIDER,
      sttModel: env.EOS_STT_MODEL,
      ttsVoice: env.EOS_TTS_VOICE ?? null,
      stt: env.EOS_STT_BASE_URL
        ? { baseURL: env.EOS_STT_BASE_URL, apiKey: env.EOS_STT_API_KEY ?? llm?.apiKey ?? null }
        : llm
          ? { baseURL: llm.baseURL, apiKey: env.EOS_STT_API_KEY ?? llm.apiKey }
          : null,
      whisperModelPath: env.EOS_WHISPER_MODEL ? resolve(cwd, env.EOS_WHISPER_MODEL) : null,
    },
    bot,
    finetune: { apiKey: env.EOS_FINETUNE_API_KEY ?? llm?.apiKey ?? null, togetherApiKey: env.TOGETHER_API_KEY ?? null },
    sharding: {
      shards: env.EOS_SHARDS ?? null,
      shardIds: env.EOS_SHARD_IDS ?? null,
      spawnDelayMs: env.EOS_SHARD_SPAWN_DELAY_MS,
      child:
        env.SHARDING_MANAGER && env.SHARDS !== undefined && env.SHARD_COUNT !== undefined
          ? { id: env.SHARDS, count: env.SHARD_COUNT }
          : null,
    },
    secrets: () => [...secretList],
  };
}
