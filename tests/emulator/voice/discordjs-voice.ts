/** Test convenience: the bot (a real discord.js Client) joins a voice channel with @discordjs/voice and waits for Ready. */
import { entersState, joinVoiceChannel, VoiceConnectionStatus, type VoiceConnection } from '@discordjs/voice';
import type { Client } from 'discord.js';

/**
 * joinVoiceChannel with selfDeaf false (a deafened bot receives no audio on Discord), then waits for Ready.
 * Destroys the connection and rethrows when it does not become ready. The client needs the GuildVoiceStates intent.
 */
export async function joinVoice(
  client: Client<true>,
  p: { guildId: string; channelId: string; selfDeaf?: boolean; selfMute?: boolean; timeoutMs?: number },
): Promise<VoiceConnection> {
  const guild = client.guilds.cache.get(p.guildId);
  if (!guild) throw new Error(`joinVoice: guild ${p.guildId} is not in the client's cache`);
  const connection = joinVoiceChannel({
    guildId: p.guildId,
    channelId: p.channelId,
    adapterCreator: guild.voiceAdapterCreator,
    selfDeaf: p.selfDeaf ?? false,
    selfMute: p.selfMute ?? false,
  });
  try {
    return await entersState(connection, VoiceConnectionStatus.Ready, p.timeoutMs ?? 10_000);
  } catch (err) {
    connection.destroy();
    throw err;
  }
}
