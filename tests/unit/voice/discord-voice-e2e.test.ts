/**
 * End to end over the emulator's voice server: a real discord.js client and @discordjs/voice, VoiceManager with the
 * Discord link, real speech sent as RTP/Opus, fake STT/respond/TTS; the bot's spoken reply is decrypted by the emulator.
 */
import { GatewayIntentBits, type Client } from 'discord.js';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createClientVoiceHost } from '../../../src/voice/discord/host.js';
import { VoiceManager, type VoiceContext, type VoiceTurn } from '../../../src/voice/discord/manager.js';
import type { ReplyEvent, TranscriptEvent } from '../../../src/voice/session/hooks.js';
import type { VoiceSessionStatus } from '../../../src/voice/session/state.js';
import {
  pcmVoicedMs,
  pcmZeroCrossingHz,
  startDiscordEmulator,
  type DiscordEmulator,
  type EmuChannel,
  type EmuGuild,
  type EmuUser,
} from '../../emulator/index.js';
import { loginClient } from '../../emulator/discordjs.js';
import { FakeSpeechToText, FakeTextToSpeech } from '../../fakes/speech.js';
import { spokenClip } from './helpers.js';

let emu: DiscordEmulator;
let client: Client<true>;
let guild: EmuGuild;
let vc: EmuChannel;
let text: EmuChannel;
let alice: EmuUser;
let manager: VoiceManager;
let transcripts: { ctx: VoiceContext; e: TranscriptEvent }[];
let replies: ReplyEvent[];
let turns: VoiceTurn[];
let statuses: VoiceSessionStatus[];

beforeEach(async () => {
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, contractCheck: false });
  alice = emu.createUser({ username: 'alice', globalName: 'Alice' });
  guild = emu.createGuild({ name: 'Voice Guild' });
  emu.addMember(guild.id, alice.id);
  vc = emu.createChannel({ guildId: guild.id, name: 'Lounge', type: 2 });
  text = emu.createChannel({ guildId: guild.id, name: 'general' });
  client = await loginClient(emu, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] }, 5000);
  transcripts = [];
  replies = [];
  turns = [];
  statuses = [];
  manager = new VoiceManager({
    host: createClientVoiceHost(client),
    stt: new FakeSpeechToText('go forward ten meters', 20),
    tts: new FakeTextToSpeech(10, 25),
    respond: async function* (turn) {
      turns.push(turn);
      yield 'Okay, going forward.';
    },
    hooks: {
      onTranscript: (ctx, e) => transcripts.push({ ctx, e }),
      onReply: (_ctx, e) => replies.push(e),
      onStateChange: (_ctx, _old, next) => statuses.push(next.status),
    },
    pipeline: { endpoint: { silenceMs: 500 } },
    session: { aloneTimeoutMs: 300 },
    link: { receiveSilenceMs: 300, reconnectGraceMs: 300 },
  });
});

afterEach(async () => {
  const violations = [...emu.voice.violations];
  await manager.destroyAll();
  await client.destroy();
  await emu.close();
  expect(violations, 'voice protocol violations').toEqual([]);
});

async function speakAndAwaitReply(count: number): Promise<void> {
  await emu.voice.speak({ guildId: guild.id, userId: alice.id, pcm: spokenClip({ tailMs: 200 }).samples, pace: 'fast' });
  await emu.waitFor(() => replies.length >= count && statuses.at(-1) === 'listening', { label: `reply ${count} played`, timeoutMs: 8000 });
}

describe('voice end to end (emulator)', () => {
  test('join, hear a user, answer aloud; survive a voice resume; leave when alone', async () => {
    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: vc.id, userId: alice.id });
    const session = await manager.join(guild.id, vc.id, text.id);
    expect(session.state.status).toBe('listening');
    expect(await emu.voice.waitForConnection(guild.id)).toMatchObject({ ready: true, selfDeaf: false, selfMute: false });
    await emu.voice.waitForDave(guild.id);

    await speakAndAwaitReply(1);
    expect(transcripts.map((t) => [t.ctx.textChannelId, t.e.userId, t.e.text])).toEqual([[text.id, alice.id, 'go forward ten meters']]);
    expect(transcripts[0]?.e.speaker).toBe('Alice');
    expect(turns[0]).toMatchObject({ guildId: guild.id, voiceChannelId: vc.id, textChannelId: text.id, userId: alice.id });
    expect(replies[0]).toMatchObject({ text: 'Okay, going forward.', interrupted: false });
    expect(statuses).toEqual(['connecting', 'listening', 'thinking', 'speaking', 'listening']);
    const sent = emu.voice.received(guild.id);
    expect(sent.frames.length).toBeGreaterThan(20);
    // The fake TTS speaks a 440 Hz tone of 25 ms per character: 'Okay, going forward.' is 500 ms.
    const heard = emu.voice.decodeReceived(guild.id);
    expect(pcmVoicedMs(heard)).toBeGreaterThanOrEqual(440);
    expect(pcmZeroCrossingHz(heard)).toBeGreaterThan(300);

    emu.voice.dropVoice(guild.id);
    await emu.waitFor(() => emu.voice.resumes === 1, { label: 'voice RESUME' });
    await speakAndAwaitReply(2);
    expect(session.state.status).toBe('listening');

    emu.voice.userLeavesVoice({ guildId: guild.id, userId: alice.id });
    await emu.waitFor(() => session.state.status === 'destroyed', { label: 'left when alone', timeoutMs: 5000 });
    expect(session.state).toEqual({ status: 'destroyed', reason: 'alone in the channel' });
    await emu.waitFor(() => emu.voice.connection(guild.id) === null, { label: 'bot left the channel' });
    expect(manager.get(guild.id)).toBeUndefined();
  });

  test('kicked from the channel: the session is destroyed (no rejoin after a 4014 kick)', async () => {
    emu.voice.userJoinsVoice({ guildId: guild.id, channelId: vc.id, userId: alice.id });
    const session = await manager.join(guild.id, vc.id, text.id);
    await emu.voice.waitForConnection(guild.id);
    emu.voice.disconnectBot(guild.id);
    await emu.waitFor(() => session.state.status === 'destroyed', { label: 'destroyed after kick', timeoutMs: 5000 });
    expect(statuses).toEqual(['connecting', 'listening', 'reconnecting', 'destroyed']);
    expect(session.state).toEqual({ status: 'destroyed', reason: 'voice connection lost' });
    expect(emu.voice.identifies).toBe(1);
  });
});
