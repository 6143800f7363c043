import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { speechToTextTranscriber } from '../llm-server/routes/audio.js';
import { createPocketsphinxSpeechToText } from '../../src/voice/stt/pocketsphinx.js';
import { createFliteTextToSpeech } from '../../src/voice/tts/flite.js';
import { convertPcm } from '../../src/voice/audio/resample.js';
import { encodeOggOpus } from '../../src/voice/audio/ffmpeg.js';
import { asDiscordAudio, COMMANDS_JSGF, goforward, GOFORWARD_TEXT } from '../fixtures/audio.js';
import { pcmRms, pcmDurationMs, pcmVoicedMs, decodeOpusFrames } from '../emulator/index.js';
import type { Pcm } from '../../src/voice/ports.js';

let h: Harness;
let lounge: { id: string };
let stopRightThere: Pcm;

beforeAll(async () => {
  const grammar = path.join(tmpdir(), `eos-commands-${process.pid}.gram`);
  await writeFile(grammar, COMMANDS_JSGF);
  h = await startHarness({
    env: { EOS_TTS_PROVIDER: 'flite', EOS_STT_PROVIDER: 'openai' },
    behaviour: { voice: { silenceMs: 600, voiceMessageReplies: true }, conversation: { streamEditIntervalMs: 250 } },
  });
  h.llm!.audio.transcribeWith(speechToTextTranscriber(createPocketsphinxSpeechToText({ jsgf: grammar })));
  lounge = h.emu.createChannel({ guildId: h.guild.id, name: 'Lounge', type: 2 });
  stopRightThere = await createFliteTextToSpeech({ voice: 'kal16' }).synthesize('stop right there');
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  expect(h.emu.voice.violations.join('\n')).toBe('');
  await h.close();
});

const say = (userId: string, content: string, extra: Partial<Parameters<Harness['emu']['userSays']>[0]> = {}) =>
  h.emu.userSays({ channelId: h.general.id, userId, content, ...extra });
const botSays = (pred: (content: string) => boolean, timeoutMs = 20_000) =>
  h.emu.waitForBotMessage(h.general.id, (m) => pred(m.content), { timeoutMs });
/** Resolves once `!voice` says the session is listening: no reply is being generated, queued or played. */
const listening = (timeoutMs = 30_000) =>
  h.emu.waitFor(
    async () => {
      const msg = say(h.alice.id, '!voice');
      const status = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id);
      return /\): listening, /.test(status.content) || undefined;
    },
    { timeoutMs, intervalMs: 100, label: 'voice session listening (nothing left to play)' },
  );
const LONG_ANSWER = 'This is a very long answer. '.repeat(12);

describe('voice channels end to end (real speech over RTP, real engines)', () => {
  test('!join needs the caller in voice; then Eos joins undeafened', async () => {
    let msg = say(h.alice.id, '!join');
    expect((await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id)).content).toBe('Join a voice channel first.');
    h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.alice.id });
    h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.bob.id });
    // No wait needed: the gateway delivers these VOICE_STATE_UPDATEs before the next MESSAGE_CREATE, in order.
    msg = say(h.alice.id, '!join');
    const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id);
    expect(r.content).toMatch(/^Joined <#\d+>\. I'm listening/);
    const conn = await h.emu.voice.waitForConnection(h.guild.id);
    expect(conn.selfDeaf).toBe(false);
    expect(conn.mode).toBe('aead_aes256_gcm_rtpsize');
    // DAVE (on in the emulator as on Discord): Ali and Bob formed the group; Eos was added at a new epoch.
    await h.emu.voice.waitForDave(h.guild.id);
    const group = h.emu.voice.dave.group(h.guild.id);
    expect(group.members.sort()).toEqual([h.alice.id, h.bob.id, h.emu.botUser.id].sort());
    expect(group.transitions.at(-1)).toMatchObject({ kind: 'add', userId: h.emu.botUser.id, epoch: 2 });
  });

  test('an utterance is transcribed, answered by the LLM, posted, and spoken back', async () => {
    h.emu.voice.clearReceived(h.guild.id);
    h.llm!.queue({ text: 'Okay. Moving forward ten meters now.' });
    await h.emu.voice.speak({ guildId: h.guild.id, userId: h.alice.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
    await botSays((c) => c === `🎙️ **Ali**: ${GOFORWARD_TEXT}`);
    const upload = h.llm!.audio.transcriptions.at(-1)!;
    expect(upload.file.toString('ascii', 0, 4)).toBe('RIFF');
    const chat = h.llm!.chatRequests().at(-1) as unknown as { messages: { role: string; content: string }[] };
    expect(chat.messages.at(-1)).toEqual({ role: 'user', content: `Ali: ${GOFORWARD_TEXT}` });
    const posted = await botSays((c) => c.startsWith('🔊 Okay. Moving forward'));
    await h.emu.waitFor(() => posted.components.length > 0 || undefined, { label: 'feedback buttons on the spoken reply' });
    await h.emu.waitFor(() => h.emu.voice.received(h.guild.id).frames.length > 50 || undefined, {
      timeoutMs: 15_000,
      label: 'reply audio',
    });
    await listening(); // the whole reply has been played
    const pcm = h.emu.voice.decodeReceived(h.guild.id);
    expect(pcmRms(pcm)).toBeGreaterThan(0.01);
    expect(pcmVoicedMs(pcm)).toBeGreaterThan(500);
    const ms = pcmDurationMs(pcm);
    expect(ms).toBeGreaterThan(1000);
    expect(ms).toBeLessThan(8000);
    expect(h.emu.voice.received(h.guild.id).speaking.some((s) => s.speaking !== 0)).toBe(true);
    // End to end encrypted both ways: Ali's audio that reached speech-to-text was DAVE-encrypted, and every frame
    // of the spoken reply was DAVE-encrypted by Eos and decrypted by both users' clients.
    const sent = h.emu.voice.dave.sent(h.guild.id, h.alice.id);
    expect(sent.dave).toBeGreaterThan(100);
    expect(sent.dave).toBe(sent.frames - 5);
    const sounding = h.emu.voice.received(h.guild.id).frames.filter((f) => !f.opus.equals(Buffer.from([0xf8, 0xff, 0xfe])));
    expect(sounding.every((f) => f.dave && f.decryptedBy.length === 2)).toBe(true);
    expect(h.emu.voice.dave.undecryptable).toBe(0);
  }, 40_000);

  test('two users speaking at once are kept apart', async () => {
    h.llm!.respondWith(() => ({ text: 'Noted.' }));
    const before = h.llm!.audio.transcriptions.length;
    await Promise.all([
      h.emu.voice.speak({ guildId: h.guild.id, userId: h.alice.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' }),
      h.emu.voice.speak({ guildId: h.guild.id, userId: h.bob.id, pcm: asDiscordAudio(stopRightThere), pace: 'realtime' }),
    ]);
    await botSays((c) => c === `🎙️ **Ali**: ${GOFORWARD_TEXT}` && true);
    await botSays((c) => c === '🎙️ **Bob**: stop right there');
    expect(h.llm!.audio.transcriptions.length - before).toBe(2);
  }, 40_000);

  test("a 👍 clicked before Discord has answered the spoken reply's send still rates it", async () => {
    await listening(); // the previous test's replies have been played
    h.llm!.respondWith(() => ({ text: 'Rated answer.' }));
    // Discord answers the sends of the transcript and the reply late; the messages (with their buttons) reach users at once.
    h.emu.delayNext({ method: 'POST', route: new RegExp(`/channels/${h.general.id}/messages$`), ms: 1500, times: 2 });
    await h.emu.voice.speak({ guildId: h.guild.id, userId: h.alice.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
    const posted = await botSays((c) => c === '🔊 Rated answer.');
    expect(posted.components.length).toBeGreaterThan(0);
    const up = h.emu.clickButton({
      customId: 'eos:fb:up',
      userId: h.owner.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      messageId: posted.id,
    });
    const answered = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === up.id), {
      label: 'rating answered',
    });
    expect((answered.data as { content?: string } | undefined)?.content).toMatch(/^Thanks! Saved as a positive example/);
  }, 40_000);

  test('barge-in: when a user speaks while Eos talks, it stops talking', async () => {
    const long = await createFliteTextToSpeech({ voice: 'kal16' }).synthesize(LONG_ANSWER);
    const longFrames = long.samples.length / long.channels / long.sampleRate / 0.02;
    expect(longFrames).toBeGreaterThan(500); // more than 10 s of speech
    await listening(); // the previous test's replies have been played
    h.llm!.respondWith(() => ({ text: LONG_ANSWER }));
    h.emu.voice.clearReceived(h.guild.id);
    await h.emu.voice.speak({ guildId: h.guild.id, userId: h.alice.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
    await h.emu.waitFor(() => h.emu.voice.received(h.guild.id).frames.length > 25 || undefined, {
      timeoutMs: 20_000,
      label: 'long reply starts',
    });
    h.llm!.respondWith(() => ({ text: 'Yes?' }));
    await h.emu.voice.speak({ guildId: h.guild.id, userId: h.bob.id, pcm: asDiscordAudio(stopRightThere), pace: 'realtime' });
    await botSays((c) => c === '🔊 Yes?');
    await listening();
    // Without barge-in the whole long answer (one frame per 20 ms) would have been played before the session listens
    // again; with it, what was played of it before Bob spoke plus "Yes?" is a fraction of that.
    const frames = h.emu.voice.received(h.guild.id).frames;
    expect(frames.length).toBeLessThan(longFrames * 0.5);
  }, 60_000);

  test('!say speaks a text; !leave leaves', async () => {
    await listening(); // "Yes?" has been played
    h.emu.voice.clearReceived(h.guild.id);
    let msg = say(h.alice.id, '!say hello from eos');
    expect((await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id, { timeoutMs: 15_000 })).content).toBe('🔊 Said it.');
    const frames = h.emu.voice.received(h.guild.id).frames;
    expect(frames.length).toBeGreaterThan(25);
    expect(pcmVoicedMs(decodeOpusFrames(frames.map((f) => f.opus)))).toBeGreaterThan(300);
    msg = say(h.alice.id, '!leave');
    expect((await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id)).content).toBe('Left the voice channel.');
    await h.emu.waitFor(() => h.emu.voice.connection(h.guild.id) === null || undefined, { label: 'disconnected' });
  }, 30_000);
});

describe('voice messages', () => {
  test('a voice message is transcribed, answered, and answered back as a voice message', async () => {
    h.llm!.respondWith(() => ({ text: 'Heading forward.' }));
    const ogg = await encodeOggOpus(convertPcm(goforward(), { sampleRate: 48_000, channels: 1 }));
    const msg = say(h.alice.id, '', { attachments: [{ name: 'voice-message.ogg', data: ogg, contentType: 'audio/ogg' }], flags: 8192 });
    const heard = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content.startsWith('🎙️'));
    expect(heard.content).toBe(`🎙️ “${GOFORWARD_TEXT}”`);
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content === 'Heading forward.');
    const voiceReply = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && (m.flags & 8192) !== 0, {
      timeoutMs: 15_000,
    });
    expect(voiceReply.attachments).toHaveLength(1);
    expect(voiceReply.attachments[0]!.filename).toMatch(/\.ogg$/);
    expect(voiceReply.attachments[0]!.waveform).toBeTruthy();
  }, 30_000);

  test('an audio file that is not audio gets a short reply', async () => {
    const msg = say(h.alice.id, '', {
      attachments: [{ name: 'noise.mp3', data: Buffer.from('definitely not an mp3'), contentType: 'audio/mpeg' }],
    });
    const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id);
    expect(r.content).toBe("Sorry, I couldn't transcribe that audio.");
  });
});
