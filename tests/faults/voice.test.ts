/**
 * Fault: speech-to-text (the fake /v1/audio/transcriptions answers 500 to every attempt) and text-to-speech
 * (EOS_TTS_PROVIDER=openai, /v1/audio/speech answers 500 to every attempt) fail during a voice session. The
 * session must go on: the next utterance (real speech over RTP) is transcribed, answered and spoken.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness.js';
import { speechToTextTranscriber } from '../llm-server/routes/audio.js';
import { createPocketsphinxSpeechToText } from '../../src/voice/stt/pocketsphinx.js';
import { asDiscordAudio, COMMANDS_JSGF, goforward, GOFORWARD_TEXT } from '../fixtures/audio.js';
import { pcmVoicedMs } from '../emulator/index.js';

/** 1 try + the SDK's 2 retries. */
const ATTEMPTS = 3;
let h: Harness;
let lounge: { id: string };

beforeAll(async () => {
  const grammar = path.join(tmpdir(), `eos-faults-${process.pid}.gram`);
  await writeFile(grammar, COMMANDS_JSGF);
  h = await startHarness({
    env: { EOS_STT_PROVIDER: 'openai', EOS_TTS_PROVIDER: 'openai' },
    behaviour: { voice: { silenceMs: 600 }, conversation: { userRateLimit: { count: 0 } } },
  });
  h.llm!.audio.transcribeWith(speechToTextTranscriber(createPocketsphinxSpeechToText({ jsgf: grammar })));
  lounge = h.emu.createChannel({ guildId: h.guild.id, name: 'Lounge', type: 2 });
  h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.alice.id });
  const msg = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: '!join' });
  await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content.startsWith('Joined'), { timeoutMs: 15_000 });
  await h.emu.voice.waitForConnection(h.guild.id);
}, 40_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  expect(h.emu.voice.violations).toEqual([]);
  await h?.close();
});

const aliceSpeaks = () => h.emu.voice.speak({ guildId: h.guild.id, userId: h.alice.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
const posted = (content: string) => h.emu.waitForBotMessage(h.general.id, (m) => m.content === content, { timeoutMs: 20_000 });
const failures = (stage: string) => h.logs.filter((l) => l.includes('voice stage failed') && l.includes(stage)).length;

/** Alice speaks; her words are posted, answered with `answer`, and spoken back (audible frames arrive). */
async function turnIsAnsweredAndSpoken(answer: string): Promise<void> {
  h.llm!.respondWith(() => ({ text: answer }));
  h.emu.voice.clearReceived(h.guild.id);
  await aliceSpeaks();
  await posted(`🎙️ **Ali**: ${GOFORWARD_TEXT}`);
  await posted(`🔊 ${answer}`);
  await h.emu.waitFor(() => h.emu.voice.received(h.guild.id).frames.length > 50 || undefined, { timeoutMs: 15_000, label: 'the answer is spoken' });
  await h.emu.waitFor(() => pcmVoicedMs(h.emu.voice.decodeReceived(h.guild.id)) > 300 || undefined, { timeoutMs: 10_000, label: 'audible speech' });
}

/** Resolves once no audio frame has arrived from the bot for 500 ms. */
async function playbackEnded(): Promise<void> {
  let count = -1;
  let since = Date.now();
  await h.emu.waitFor(() => {
    const now = h.emu.voice.received(h.guild.id).frames.length;
    if (now !== count) [count, since] = [now, Date.now()];
    return Date.now() - since >= 500 || undefined;
  }, { timeoutMs: 20_000, label: 'playback ended', intervalMs: 50 });
}

describe('voice session survives speech engine failures', () => {
  test('speech-to-text answers 500: the utterance is dropped, the next one is transcribed and answered', async () => {
    const chatsBefore = h.llm!.chatRequests().length;
    const uploadsBefore = h.llm!.audio.transcriptions.length;
    const messagesBefore = h.emu.botMessages(h.general.id).length;
    h.llm!.audio.queueTranscripts(...Array.from({ length: ATTEMPTS }, () => ({ status: 500, error: 'transcription backend down' })));
    await aliceSpeaks();
    await h.emu.waitFor(() => failures('transcribe') > 0 || undefined, { timeoutMs: 15_000, label: 'transcription failure logged' });
    expect(h.llm!.audio.transcriptions.length - uploadsBefore).toBe(ATTEMPTS);
    expect(h.llm!.chatRequests().length).toBe(chatsBefore);
    expect(h.emu.botMessages(h.general.id).length).toBe(messagesBefore);
    expect(h.emu.voice.connection(h.guild.id)).not.toBeNull();

    await turnIsAnsweredAndSpoken('Understood, going forward.');
  }, 45_000);

  test('text-to-speech answers 500: the reply is still posted, the next one is spoken', async () => {
    await playbackEnded();
    const speechesBefore = h.llm!.audio.speeches.length;
    h.llm!.respondWith(() => ({ text: 'Moving forward now.' }));
    h.llm!.audio.failSpeech(...Array.from({ length: ATTEMPTS }, () => 500));
    h.emu.voice.clearReceived(h.guild.id);
    await aliceSpeaks();
    await posted('🔊 Moving forward now.');
    await h.emu.waitFor(() => failures('synthesize') > 0 || undefined, { timeoutMs: 15_000, label: 'synthesis failure logged' });
    expect(h.llm!.audio.speeches.length - speechesBefore).toBe(ATTEMPTS);
    expect(pcmVoicedMs(h.emu.voice.decodeReceived(h.guild.id))).toBe(0);
    expect(h.emu.voice.connection(h.guild.id)).not.toBeNull();

    await turnIsAnsweredAndSpoken('Second answer, spoken this time.');
  }, 45_000);
});
