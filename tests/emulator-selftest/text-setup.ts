/**
 * Shared setup for the gateway, REST and interaction self-tests: a fresh emulator per test (checked against the
 * Discord contract) with one guild "Test Guild", the text channel "general" and the member alice.
 */
import { expect } from 'vitest';
import type { Client } from 'discord.js';
import {
  startDiscordEmulator,
  type DiscordEmulator,
  type EmuChannel,
  type EmuGuild,
  type EmuUser,
  type OpenApiContract,
} from '../emulator/index.js';
import { loginClient } from '../emulator/discordjs.js';

export type LoginOptions = Parameters<typeof loginClient>[1];

export interface TextWorldOptions {
  /** One compiled contract per test file (createDiscordContract()); compiling it per test would be slow. */
  contract: OpenApiContract;
  /** alice's global name and her nickname in the guild (default: none). */
  alice?: { globalName?: string; nick?: string };
  /** Log a client in before the test starts (default: the test calls login()). */
  login?: LoginOptions;
  /** Time for an interaction's first callback (default Discord's 3 s; expiry itself is tested in contract.test.ts). */
  interactionTimeoutMs?: number;
}

export interface TextWorld {
  readonly emu: DiscordEmulator;
  readonly alice: EmuUser;
  readonly guild: EmuGuild;
  readonly general: EmuChannel;
  /** The client last logged in through login(), if any; close() destroys it. */
  readonly client: Client<true> | undefined;
  login(options: LoginOptions): Promise<Client<true>>;
  /** Destroys the client, closes the emulator, then fails the test if REST or gateway traffic broke the contract. */
  close(): Promise<void>;
}

/** Starts the world; call from beforeEach and close it in afterEach. */
export async function startTextWorld(opts: TextWorldOptions): Promise<TextWorld> {
  const emu = await startDiscordEmulator({
    heartbeatIntervalMs: 300,
    contract: opts.contract,
    interactionTimeoutMs: opts.interactionTimeoutMs,
  });
  const alice = emu.createUser({ username: 'alice', globalName: opts.alice?.globalName });
  const guild = emu.createGuild({ name: 'Test Guild' });
  emu.addMember(guild.id, alice.id, opts.alice?.nick === undefined ? undefined : { nick: opts.alice.nick });
  const general = emu.createChannel({ guildId: guild.id, name: 'general' });
  let client: Client<true> | undefined;
  const world: TextWorld = {
    emu,
    alice,
    guild,
    general,
    get client() {
      return client;
    },
    async login(options) {
      client = await loginClient(emu, options, 5000);
      return client;
    },
    async close() {
      const violations = [...emu.contractViolations];
      await client?.destroy();
      client = undefined;
      await emu.close();
      expect(violations, 'contract violations (REST and gateway)').toEqual([]);
    },
  };
  if (opts.login) await world.login(opts.login);
  return world;
}
