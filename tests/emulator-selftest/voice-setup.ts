/**
 * Shared setup for the voice self-tests: a fresh emulator per test with one guild, the voice channel "Lounge",
 * the named users as guild members, and a discord.js client logged in with Guilds + GuildVoiceStates.
 */
import { expect } from 'vitest';
import { GatewayIntentBits, type Client } from 'discord.js';
import type { VoiceConnection } from '@discordjs/voice';
import { startDiscordEmulator, type DiscordEmulator, type EmuChannel, type EmuGuild, type EmuUser } from '../emulator/index.js';
import { loginClient } from '../emulator/discordjs.js';
import { joinVoice } from '../emulator/voice/discordjs-voice.js';

export interface VoiceWorldBase {
  readonly emu: DiscordEmulator;
  readonly guild: EmuGuild;
  /** The voice channel "Lounge". */
  readonly voice: EmuChannel;
  /** The logged-in client; a test that logs in again puts the new client here so that close() destroys it. */
  client: Client<true>;
  /** The bot's voice connection; close() destroys it unless it is destroyed already. */
  connection: VoiceConnection | undefined;
  /** The bot joins (default: the Lounge) and the emulator's voice session is up. */
  join(channelId?: string): Promise<VoiceConnection>;
  /** Destroys connection and client, closes the emulator, then fails the test if the voice protocol saw violations. */
  close(): Promise<void>;
}

/** The world plus one EmuUser property per requested username (`world.alice`). */
export type VoiceWorld<U extends string> = VoiceWorldBase & Readonly<Record<U, EmuUser>>;

/** Starts the world; call from beforeEach and close it in afterEach. */
export async function startVoiceWorld<const U extends string>(usernames: readonly U[]): Promise<VoiceWorld<U>> {
  const emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, contractCheck: false });
  const users = usernames.map((username) => [username, emu.createUser({ username })] as const);
  const guild = emu.createGuild({ name: 'Voice Guild' });
  for (const [, user] of users) emu.addMember(guild.id, user.id);
  const voice = emu.createChannel({ guildId: guild.id, name: 'Lounge', type: 2 });
  const client = await loginClient(emu, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] }, 5000);
  const world: VoiceWorldBase = {
    emu,
    guild,
    voice,
    client,
    connection: undefined,
    async join(channelId = voice.id) {
      const connection = await joinVoice(world.client, { guildId: guild.id, channelId });
      world.connection = connection;
      await emu.voice.waitForConnection(guild.id);
      await emu.voice.waitForDave(guild.id);
      return connection;
    },
    async close() {
      const violations = [...emu.voice.violations];
      if (world.connection && world.connection.state.status !== 'destroyed') world.connection.destroy();
      world.connection = undefined;
      await world.client.destroy();
      await emu.close();
      expect(violations, 'voice protocol violations').toEqual([]);
    },
  };
  return Object.assign(world, Object.fromEntries(users) as Record<U, EmuUser>);
}
