/**
 * Discord emulator for end-to-end tests: gateway v10 (JSON) + REST v10 on 127.0.0.1, driven by the real discord.js.
 *
 *   const emu = await startDiscordEmulator();
 *   const client = new Client({ intents, rest: { api: emu.restBase } });
 *   await client.login(emu.token);
 */
import type { DiscordEmulator, StartOptions } from './api.js';
import { Emulator } from './emulator.js';

export async function startDiscordEmulator(opts: StartOptions = {}): Promise<DiscordEmulator> {
  const emu = new Emulator(opts);
  await emu.listen();
  return emu;
}

export type { DiscordEmulator, StartOptions } from './api.js';
export type { InteractionParams } from './actor-interaction.js';
export type { UserAttachment, UserSaysParams } from './actors.js';
export { createDiscordContract, OpenApiContract, DISCORD_SPEC_PATH } from './contract.js';
export { Intent } from './gateway-intents.js';
export type { WaitOptions } from './wait.js';
export type {
  EmuVoice,
  ReceivedAudio,
  ReceivedFrame,
  SpeakParams,
  VoiceConnInfo,
  VoiceGatewayEvent,
  VoiceMode,
  VoiceOptions,
} from './voice/types.js';
export { pcmDurationMs, pcmRms, pcmVoicedMs, pcmZeroCrossingHz, tonePcm, VOICE_SAMPLE_RATE } from './voice/pcm.js';
export { decodeFrames as decodeOpusFrames, encodePcm as encodeOpusFrames } from './voice/speaker.js';
export type * from './types.js';
