import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { startEos, type EosApp } from '../../src/app.js';
import {
  startDiscordEmulator,
  type DiscordEmulator,
  type EmuChannel,
  type EmuGuild,
  type EmuUser,
  type EmuRole,
} from '../emulator/index.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface HarnessOptions {
  /** Behaviour config (eos.config.json) written to the data folder. */
  behaviour?: Record<string, unknown> | ((world: World) => Record<string, unknown>);
  /** Start the fake LLM and point Eos at it (default true). */
  llm?: boolean;
  random?: () => number;
  env?: Record<string, string>;
  /** Reuse a data folder (restart tests). */
  dataDir?: string;
  emu?: DiscordEmulator;
  fake?: FakeLlm;
}

export interface Harness {
  emu: DiscordEmulator;
  llm: FakeLlm | null;
  app: EosApp;
  dataDir: string;
  guild: EmuGuild;
  general: EmuChannel;
  random: EmuChannel;
  owner: EmuUser;
  alice: EmuUser;
  bob: EmuUser;
  adminRole: EmuRole;
  logs: string[];
  /** Stops the bot only (keeps servers and data). */
  stopBot(): Promise<void>;
  close(): Promise<void>;
}

/** A world for end-to-end tests: a Discord emulator with one guild, a fake LLM, and Eos started in-process. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const emu = opts.emu ?? (await startDiscordEmulator({ heartbeatIntervalMs: 1000 }));
  const llm = opts.fake ?? (opts.llm === false ? null : await startFakeLlm());
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'eos-e2e-')));
  const world = opts.emu ? reuseWorld(emu) : buildWorld(emu);
  const behaviour = typeof opts.behaviour === 'function' ? opts.behaviour(world) : (opts.behaviour ?? {});
  // Tests send many messages per user per minute: the per-user rate limit is off unless a test sets it.
  const conversation = { userRateLimit: { count: 0 }, ...(behaviour.conversation as object | undefined) };
  // Recording (consent) is on from the start unless a test sets it: tests read the conversation logs.
  const privacy = { recordByDefault: true, ...(behaviour.privacy as object | undefined) };
  // One shared data set (top-level datasets/) unless a test turns per-server data on (tests/e2e/tenancy*).
  const perServerData = behaviour.perServerData ?? false;
  await writeFile(path.join(dataDir, 'eos.config.json'), JSON.stringify({ ...behaviour, conversation, privacy, perServerData }));
  const env: Record<string, string> = {
    DISCORD_TOKEN: emu.token,
    DISCORD_API_URL: emu.restBase,
    EOS_DATA_DIR: dataDir,
    EOS_OWNER_IDS: world.owner.id,
    EOS_LOG_LEVEL: 'debug',
    ...(llm ? { OPENAI_API_KEY: llm.apiKey, OPENAI_BASE_URL: llm.baseURL, EOS_CHAT_MODEL: 'eos-test-model' } : {}),
    ...opts.env,
  };
  const config = loadConfig({ env, cwd: PROJECT_ROOT, envFile: false });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const app = await startEos({ config, logDestination: sink, random: opts.random });
  await app.ready;
  let stopped = false;
  const stopBot = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  return {
    emu,
    llm,
    app,
    dataDir,
    logs,
    ...world,
    stopBot,
    async close() {
      await stopBot();
      if (!opts.emu) await emu.close();
      if (!opts.fake) await llm?.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type World = Pick<Harness, 'guild' | 'general' | 'random' | 'owner' | 'alice' | 'bob' | 'adminRole'>;
const worlds = new WeakMap<DiscordEmulator, World>();

function buildWorld(emu: DiscordEmulator): World {
  const owner = emu.createUser({ username: 'owner', globalName: 'Olivia' });
  const alice = emu.createUser({ username: 'alice', globalName: 'Alice' });
  const bob = emu.createUser({ username: 'bob', globalName: 'Bob' });
  const guild = emu.createGuild({ name: 'Eos Lab', ownerId: owner.id });
  const adminRole = emu.createRole(guild.id, { name: 'Moderators', permissions: String(1n << 5n) });
  emu.addMember(guild.id, alice.id, { nick: 'Ali' });
  emu.addMember(guild.id, bob.id, {});
  const general = emu.createChannel({ guildId: guild.id, name: 'general' });
  const random = emu.createChannel({ guildId: guild.id, name: 'random' });
  const world = { guild, general, random, owner, alice, bob, adminRole };
  worlds.set(emu, world);
  return world;
}

function reuseWorld(emu: DiscordEmulator): World {
  const w = worlds.get(emu);
  if (!w) throw new Error('harness: this emulator has no world');
  return w;
}

/** `<@id> text` as a user would type a mention. */
export const mention = (id: string, text: string) => `<@${id}> ${text}`;

export function lastUserContent(llm: FakeLlm): string {
  const req = llm.chatRequests().at(-1);
  const msgs = (req?.messages ?? []) as { role: string; content: unknown }[];
  const last = [...msgs].reverse().find((m) => m.role === 'user');
  return typeof last?.content === 'string' ? last.content : '';
}
