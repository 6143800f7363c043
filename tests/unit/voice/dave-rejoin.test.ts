/**
 * The last step of the DAVE recovery ladder over the emulator (real discord.js + @discordjs/voice, VoiceManager with
 * the Discord link, fake STT/TTS): trouble that goes on after DAVE was re-initialised makes the link leave and rejoin
 * by itself; the session goes reconnecting -> listening and the user's next utterance is transcribed.
 */
import { GatewayIntentBits, type Client } from 'discord.js';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createClientVoiceHost } from '../../../src/voice/discord/host.js';
import { VoiceManager } from '../../../src/voice/discord/manager.js';
import type { VoiceSessionStatus } from '../../../src/voice/session/state.js';
import { startDiscordEmulator, type DiscordEmulator, type EmuChannel, type EmuGuild, type EmuUser } from '../../emulator/index.js';
import { loginClient } from '../../emulator/discordjs.js';
import { FakeSpeechToText, FakeTextToSpeech } from '../../fakes/speech.js';
import { spokenClip } from './helpers.js';

let emu: DiscordEmulator;
let client: Client<true>;
let guild: EmuGuild;
let vc: EmuChannel;
let alice: EmuUser;
let manager: VoiceManager;
let transcripts: string[];
let statuses: VoiceSessionStatus[];
let recoveries: { kind: string; detail: string }[];

beforeEach(async () => {
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, contractCheck: false });
  alice = emu.createUser({ username: 'alice', globalName: 'Alice' });
  guild = emu.createGuild({ name: 'Voice Guild' });
  emu.addMember(guild.id, alice.id);
  vc = emu.createChannel({ guildId: guild.id, name: 'Lounge', type: 2 });
  const text = emu.createChannel({ guildId: guild.id, name: 'general' });
  client = await loginClient(emu, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] }, 5000);
  [transcripts, statuses, recoveries] = [[], [], []];
  const log = { warn: (o: { recovery: string; detail: string }) => recoveries.push({ kind: o.recovery, detail: o.detail }) };
  manager = new VoiceManager({
    host: createClientVoiceHost(client),
    stt: new FakeSpeechToText('go forward ten meters', 20),
    tts: new FakeTextToSpeech(10, 25),
    respond: async function* () {},
    hooks: { onTranscript: (_ctx, e) => transcripts.push(e.text), onStateChange: (_ctx, _old, next) => statuses.push(next.status) },
    pipeline: { endpoint: { silenceMs: 500 } },
    link: { receiveSilenceMs: 300, recovery: { threshold: 1, cooldownMs: 0 } },
    log: log as never,
  });
  emu.voice.userJoinsVoice({ guildId: guild.id, channelId: vc.id, userId: alice.id });
  await manager.join(guild.id, vc.id, text.id);
  await emu.voice.waitForDave(guild.id);
});

afterEach(async () => {
  const violations = [...emu.voice.violations];
  await manager.destroyAll();
  await client.destroy();
  await emu.close();
  expect(violations, 'voice protocol violations').toEqual([]);
});

const speak = () => emu.voice.speak({ guildId: guild.id, userId: alice.id, pcm: spokenClip({ tailMs: 200 }).samples, pace: 'fast' });

test('undecryptable audio goes on after the DAVE re-initialisation: the link leaves and rejoins, the next utterance is heard', async () => {
  const identifies = emu.voice.identifies;
  const started = Date.now();
  emu.voice.dave.corruptAudio(guild.id, alice.id, 40);
  await speak();
  await emu.waitFor(() => recoveries.some((r) => r.kind === 'dave-reinit') || undefined, { label: 'DAVE re-initialised' });
  await emu.voice.waitForDave(guild.id);
  emu.voice.dave.corruptAudio(guild.id, alice.id, 40);
  await speak();
  await emu.waitFor(() => recoveries.some((r) => r.kind === 'rejoin') || undefined, { label: 'left and rejoined', timeoutMs: 15_000 });
  expect(emu.voice.identifies).toBeGreaterThan(identifies);
  expect(statuses).toContain('reconnecting');
  await emu.waitFor(() => manager.get(guild.id)?.state.status === 'listening' || undefined, { label: 'listening again' });
  await emu.voice.waitForDave(guild.id);
  const before = transcripts.length;
  await speak();
  await emu.waitFor(() => transcripts.length > before || undefined, { label: 'the next utterance transcribed', timeoutMs: 10_000 });
  console.log(
    `recovery: rejoin ladder (two undecryptable utterances -> reinit -> rejoin -> heard): ${Date.now() - started} ms; ${recoveries.find((r) => r.kind === 'rejoin')?.detail}`,
  );
  expect((await manager.status(guild.id))?.link?.recoveries.map((r) => r.kind)).toEqual(expect.arrayContaining(['dave-reinit', 'rejoin']));
});
