/**
 * World for the sharding tests: a Discord emulator reporting N shards with one guild per shard (ids chosen so that
 * guild i lives on shard i), a fake LLM, and Eos started as an operator would (`node src/main.ts` with EOS_SHARDS),
 * i.e. discord.js's ShardingManager with one process per shard. Every process journals the files it writes
 * (shard-write-journal.ts) so tests can check ownership.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './harness.js';
import { startDiscordEmulator, type DiscordEmulator, type EmuChannel, type EmuGuild, type EmuUser } from '../emulator/index.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';
import { shardForGuild } from '../../src/shard/ownership.js';
import { behaviourSchema } from '../../src/config-schema.js';

const NODE = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
const JOURNAL_PRELOAD = path.join(PROJECT_ROOT, 'tests', 'e2e', 'shard-write-journal.mjs');

/**
 * The compiled entry (dist/main.js, what `npm start` runs; built here when src/ is newer): a shard process then
 * starts in about a second instead of compiling TypeScript for ten.
 */
export function buildDist(): string {
  const r = spawnSync(NODE, [path.join(PROJECT_ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  return path.join(PROJECT_ROOT, 'dist', 'main.js');
}

export interface ShardWorld {
  emu: DiscordEmulator;
  llm: FakeLlm;
  dataDir: string;
  owner: EmuUser;
  alice: EmuUser;
  /** guilds[i] lives on shard i of the initial count (more guilds may be added). */
  guilds: EmuGuild[];
  general: EmuChannel[];
  close(): Promise<void>;
}

/** `guildShards`: [slot, modulus] per guild (ids with (id >> 22) % modulus = slot); default guild i on shard i. */
export async function startShardWorld(opts: {
  shards: number;
  guilds?: number;
  guildShards?: [number, number][];
  conversation?: Record<string, unknown>;
}): Promise<ShardWorld> {
  const emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, shards: opts.shards });
  const llm = await startFakeLlm();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eos-shards-'));
  const owner = emu.createUser({ username: 'owner', globalName: 'Olivia' });
  const alice = emu.createUser({ username: 'alice', globalName: 'Alice' });
  const guilds: EmuGuild[] = [];
  const general: EmuChannel[] = [];
  const slots =
    opts.guildShards ?? [...Array(opts.guilds ?? opts.shards).keys()].map((i): [number, number] => [i % opts.shards, opts.shards]);
  for (const [i, slot] of slots.entries()) {
    const g = emu.createGuild({ name: `Server ${i}`, ownerId: owner.id, shard: slot });
    emu.addMember(g.id, alice.id, {});
    guilds.push(g);
    general.push(emu.createChannel({ guildId: g.id, name: 'general' }));
  }
  const behaviour = {
    conversation: { userRateLimit: { count: 0 }, feedbackButtons: true, ...opts.conversation },
    // Consent (tenancy issue): recording on by default in these tests, where the config knows the key.
    ...('privacy' in behaviourSchema.shape ? { privacy: { recordByDefault: true } } : {}),
  };
  await writeFile(path.join(dataDir, 'eos.config.json'), JSON.stringify(behaviour));
  return {
    emu,
    llm,
    dataDir,
    owner,
    alice,
    guilds,
    general,
    async close() {
      await emu.close();
      await llm.close();
      // EOS_KEEP_TEST_DATA=1 keeps the data folder (logs/shard-N, journals) to look at after a failure.
      if (process.env.EOS_KEEP_TEST_DATA) console.info(`data folder kept: ${dataDir}`);
      else await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface EosRun {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  journalDir: string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
}

/** `node src/main.ts` with EOS_SHARDS (the manager); shards inherit the tsx loader and the write journal. */
export async function startSharded(w: ShardWorld, env: Record<string, string>, opts: { journal?: boolean } = {}): Promise<EosRun> {
  const journalDir = await mkdtemp(path.join(tmpdir(), 'eos-journal-'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_|SHARD)/.test(k)));
  const proc = spawn(NODE, [...(opts.journal === false ? [] : ['--import', JOURNAL_PRELOAD]), buildDist()], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...clean,
      DISCORD_TOKEN: w.emu.token,
      DISCORD_API_URL: w.emu.restBase,
      EOS_DATA_DIR: w.dataDir,
      EOS_OWNER_IDS: w.owner.id,
      EOS_LOG_LEVEL: 'info',
      OPENAI_API_KEY: w.llm.apiKey,
      OPENAI_BASE_URL: w.llm.baseURL,
      EOS_CHAT_MODEL: 'eos-test-model',
      EOS_SHARD_SPAWN_DELAY_MS: '0',
      EOS_WRITE_JOURNAL: journalDir,
      ...env,
    },
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d) => (out += String(d)));
  proc.stderr?.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    journalDir,
    exited,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

export interface JournalEntry {
  role: string;
  pid: number;
  path: string;
}

export async function readJournal(dir: string): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for (const f of await readdir(dir)) {
    for (const line of (await readFile(path.join(dir, f), 'utf8')).split('\n')) if (line) out.push(JSON.parse(line) as JournalEntry);
  }
  return out;
}

/** The bot owners' tenant (DMs, console, CLI) and DM-scoped state: written only by shard 0, which Discord sends DMs to. */
const OWNERS_FILES =
  /^(datasets|archives|evaluations|cache)\/|^state\/(candidates\.jsonl|privacy\.key|privacy\/)|^(conversations|audit)\/dm[_.]/;
/** Files named after a guild outside guilds/<gid>/ (one per server or per channel): written only by gid's shard. */
const GUILD_NAMED = /^(?:conversations\/(\d+)_|audit\/(\d+)\.)/;

/**
 * Ownership problems in a journal, relative to dataDir: files written by two roles; guilds/<gid>/** (and
 * conversations/<gid>_*, audit/<gid>.jsonl) written by a role other than gid's shard; the owners' tenant
 * (top-level datasets/, archives/, evaluations/, cache/, state/candidates.jsonl, state/privacy*) written by anything
 * but shard 0; the global state file written by anything but the manager.
 */
export function ownershipProblems(entries: JournalEntry[], dataDir: string, count: number): string[] {
  const byFile = new Map<string, Set<string>>();
  for (const e of entries) {
    const rel = path.relative(dataDir, e.path);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    byFile.set(rel, (byFile.get(rel) ?? new Set()).add(e.role));
  }
  const problems: string[] = [];
  for (const [rel, roles] of byFile) {
    if (roles.size > 1) problems.push(`${rel} written by ${[...roles].join(' and ')}`);
    const gid = /^guilds\/(\d+)\//.exec(rel)?.[1] ?? GUILD_NAMED.exec(rel)?.slice(1).find(Boolean);
    if (gid) {
      const owner = `shard-${shardForGuild(gid, count)}`;
      for (const r of roles) if (r !== owner) problems.push(`${rel} (guild of ${owner}) written by ${r}`);
    }
    if (OWNERS_FILES.test(rel))
      for (const r of roles) if (r !== 'shard-0') problems.push(`${rel} (owners' tenant, shard-0) written by ${r}`);
    if (rel.startsWith(path.join('state', 'eos.json')))
      for (const r of roles) if (!r.startsWith('manager')) problems.push(`${rel} written by ${r}`);
  }
  return problems;
}

/** Files (relative to dataDir) each role wrote: the ownership table of the closing report. */
export function writtenBy(entries: JournalEntry[], dataDir: string): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  for (const e of entries) {
    const rel = path.relative(dataDir, e.path);
    if (rel.startsWith('..')) continue;
    table.set(e.role, (table.get(e.role) ?? new Set()).add(rel));
  }
  return table;
}

export async function ensureDir(p: string): Promise<void> {
  await mkdir(p, { recursive: true });
}

/** Polls an async condition every 50 ms until it gives a value; fails after timeoutMs naming `label`. */
export async function until<T>(fn: () => Promise<T | undefined | null | false>, label: string, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The manager's status file (shards/status-<host>.json), once it lists every shard as answering. */
export async function shardStatus(
  dataDir: string,
  count: number,
): Promise<{ shards: { shard: number; ok: boolean; result?: { pid: number; guilds: number } }[] }> {
  const dir = path.join(dataDir, 'shards');
  return until(
    async () => {
      const f = (await readdir(dir).catch(() => [] as string[])).find((x) => x.startsWith('status-') && x.endsWith('.json'));
      if (!f) return undefined;
      const s = JSON.parse(await readFile(path.join(dir, f), 'utf8').catch(() => '{}')) as {
        shards?: { shard: number; ok: boolean; result?: { pid: number; guilds: number } }[];
      };
      return s.shards && s.shards.length === count && s.shards.every((x) => x.ok)
        ? (s as { shards: NonNullable<typeof s.shards> })
        : undefined;
    },
    'a status file with every shard answering',
    120_000,
  );
}

/** Every .jsonl under dataDir (datasets wherever the layout puts them) concatenated: markers can be searched. */
export async function datasetText(dataDir: string): Promise<string> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'logs') await walk(p);
      else if (e.name.endsWith('.jsonl') && /datasets/.test(p)) out.push(await readFile(p, 'utf8').catch(() => ''));
    }
  };
  await walk(dataDir);
  return out.join('\n');
}
