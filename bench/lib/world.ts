/**
 * A bench world on 127.0.0.1: the Discord emulator and the fake OpenAI server from tests/ (contract checks off,
 * so the servers spend no time validating), one guild with `channels` text channels and `users` members, and a
 * temporary data folder with Eos's behaviour config.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { behaviourSchema } from '../../src/config-schema.js';
import { startDiscordEmulator, type DiscordEmulator, type EmuChannel, type EmuUser } from '../../tests/emulator/index.js';
import { startFakeLlm, type FakeLlm } from '../../tests/llm-server/index.js';
import type { ChildInit } from './ipc.js';

/**
 * What every bench gives Eos: the shipped defaults (👍/👎 buttons, candidate capture, few-shot, style notes,
 * `maxConcurrent` 2 ...) except the per-user rate limit (the load comes from few users; that limit is anti-flood
 * policy, not cost) and, where the schema has it, conversation recording on for every server (a server that turned
 * `!recording on`: the conversation log's cost is measured). Keys are only written when this version of the config
 * schema knows them, so the same bench also runs an older checkout (the "before" column).
 */
export function benchBehaviour(): Record<string, unknown> {
  const override = process.env.EOS_BENCH_BEHAVIOUR; // JSON, e.g. for an older checkout's schema
  if (override) return JSON.parse(override) as Record<string, unknown>;
  const behaviour: Record<string, unknown> = { conversation: { streamEditIntervalMs: 250 } };
  const conversation = { streamEditIntervalMs: 250, userRateLimit: { count: 0 } };
  if (behaviourSchema.safeParse({ conversation }).success) behaviour.conversation = conversation;
  if (behaviourSchema.safeParse({ ...behaviour, privacy: { recordByDefault: true } }).success)
    behaviour.privacy = { recordByDefault: true };
  return behaviour;
}

/** The instant LLM's answer: one SSE chunk, so Eos sends one message and never edits it. */
export const LLM_REPLY = 'Sure, happy to help with that!';

export interface BenchWorld {
  emu: DiscordEmulator;
  llm: FakeLlm;
  dataDir: string;
  owner: EmuUser;
  users: EmuUser[];
  channels: EmuChannel[];
  /** What a bot child needs to connect (Eos also gets the LLM and the data folder). */
  childInit(liftRestCap: boolean): Omit<ChildInit, 'type'>;
  close(): Promise<void>;
}

export async function startBenchWorld(opts: { channels: number; users: number }): Promise<BenchWorld> {
  const emu = await startDiscordEmulator({ contractCheck: false });
  const llm = await startFakeLlm({ contractCheck: false });
  llm.respondWith(() => ({ text: LLM_REPLY, chunkSize: 4096 }));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eos-bench-'));
  await writeFile(path.join(dataDir, 'eos.config.json'), JSON.stringify(benchBehaviour()));
  const owner = emu.createUser({ username: 'owner', globalName: 'Olivia' });
  const guild = emu.createGuild({ name: 'Bench', ownerId: owner.id });
  const users = Array.from({ length: opts.users }, (_, i) => {
    const user = emu.createUser({ username: `user${i}`, globalName: `User ${i}` });
    emu.addMember(guild.id, user.id, {});
    return user;
  });
  const channels = Array.from({ length: opts.channels }, (_, i) => emu.createChannel({ guildId: guild.id, name: `chan-${i}` }));
  return {
    emu,
    llm,
    dataDir,
    owner,
    users,
    channels,
    childInit: (liftRestCap) => ({
      restBase: emu.restBase,
      token: emu.token,
      liftRestCap,
      dataDir,
      ownerId: owner.id,
      llm: { baseURL: llm.baseURL, apiKey: llm.apiKey },
    }),
    async close() {
      await emu.close();
      await llm.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
