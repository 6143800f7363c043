/**
 * DAVE faults (Discord's voice E2EE, on in the emulator as on Discord): after each fault the bot process is still
 * alive (an uncaught exception would fail this file), the session logs what it recovered from, and Alice's next
 * utterance (real speech over DAVE-encrypted RTP) is transcribed within RECOVERY_BOUND_MS of the fault. The measured
 * times are printed in the test log ("recovery: ..."); they are never asserted.
 *
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
import { getVoiceConnection } from '@discordjs/voice';
import { libraryDave } from '../../src/voice/discord/dave-guard.js';

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
  await h.emu.voice.waitForDave(h.guild.id);
}, 40_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  expect(h.emu.voice.violations.join('\n')).toBe('');
  await h?.close();
});

const aliceSpeaks = () =>
  h.emu.voice.speak({ guildId: h.guild.id, userId: h.alice.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
const posted = (content: string) => h.emu.waitForBotMessage(h.general.id, (m) => m.content === content, { timeoutMs: 20_000 });
const failures = (stage: string) => h.logs.filter((l) => l.includes('voice stage failed') && l.includes(stage)).length;

/** Alice speaks; her words are posted, answered with `answer`, and spoken back (audible frames arrive). */
async function turnIsAnsweredAndSpoken(answer: string): Promise<void> {
  h.llm!.respondWith(() => ({ text: answer }));
  h.emu.voice.clearReceived(h.guild.id);
  await aliceSpeaks();
  await posted(`🎙️ **Ali**: ${GOFORWARD_TEXT}`);
  await posted(`🔊 ${answer}`);
  await h.emu.waitFor(() => h.emu.voice.received(h.guild.id).frames.length > 50 || undefined, {
    timeoutMs: 15_000,
    label: 'the answer is spoken',
  });
  await h.emu.waitFor(() => pcmVoicedMs(h.emu.voice.decodeReceived(h.guild.id)) > 300 || undefined, {
    timeoutMs: 10_000,
    label: 'audible speech',
  });
}

/** Resolves once no audio frame has arrived from the bot for 500 ms. */
async function playbackEnded(): Promise<void> {
  let count = -1;
  let since = Date.now();
  await h.emu.waitFor(
    () => {
      const now = h.emu.voice.received(h.guild.id).frames.length;
      if (now !== count) [count, since] = [now, Date.now()];
      return Date.now() - since >= 500 || undefined;
    },
    { timeoutMs: 20_000, label: 'playback ended', intervalMs: 50 },
  );
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

/** Fault injected -> Alice's next utterance transcribed: the bound stated for every DAVE fault. */
const RECOVERY_BOUND_MS = 25_000;
const recoveries = (kind: string) => h.logs.filter((l) => l.includes('voice recovery') && l.includes(`"recovery":"${kind}"`));

/** Alice speaks at once; resolves with the milliseconds from `since` until her words are posted. */
async function transcribedSince(since: number, fault: string): Promise<number> {
  const before = new Set(h.emu.botMessages(h.general.id).map((m) => m.id));
  h.llm!.respondWith(() => ({ text: 'Heard you.' }));
  await aliceSpeaks();
  const heard = `🎙️ **Ali**: ${GOFORWARD_TEXT}`;
  try {
    await h.emu.waitForBotMessage(h.general.id, (m) => !before.has(m.id) && m.content === heard, {
      timeoutMs: RECOVERY_BOUND_MS - (Date.now() - since),
    });
  } catch (err) {
    const voiceLogs = h.logs
      .filter((l) => /voice/.test(l))
      .slice(-15)
      .map((l) => l.slice(0, 300));
    const ops = h.emu.voice.events
      .filter((e) => ![3, 5, 6].includes(e.op))
      .slice(-25)
      .map((e) => `${e.at % 100_000} ${e.dir} ${e.op}`);
    const posted = h.emu
      .botMessages(h.general.id)
      .filter((m) => !before.has(m.id))
      .map((m) => m.content.slice(0, 80));
    const c = getVoiceConnection(h.guild.id, h.emu.botUser.id);
    const dave = c ? libraryDave(c) : undefined;
    const stats = (dave?.session as { getDecryptionStats?: (u: string) => unknown } | undefined)?.getDecryptionStats?.(h.alice.id);
    const recv = c
      ? {
          subs: [...c.receiver.subscriptions.keys()].length,
          speaking: c.receiver.speaking.users.size,
          ready: dave?.session?.ready,
          re: dave?.reinitializing,
          stats,
        }
      : null;
    throw new Error(
      `${(err as Error).message}\nposted since: ${JSON.stringify(posted)}; transcription requests: ${h.llm!.audio.transcriptions.length}; receiver: ${JSON.stringify(recv)}\nvoice logs:\n${voiceLogs.join('\n')}\nDAVE: ${JSON.stringify(h.emu.voice.dave.group(h.guild.id)).slice(0, 600)}\nops: ${ops.join(', ')}`,
      { cause: err },
    );
  }
  const ms = Date.now() - since;
  console.log(`recovery: ${fault}: next utterance transcribed ${ms} ms after the fault (the utterance itself lasts 2.8 s)`);
  return ms;
}

describe('voice session survives DAVE faults', () => {
  test('an Add proposal for a user never announced (throws inside @discordjs/voice): caught, logged, next utterance heard', async () => {
    await playbackEnded();
    // The same measure without a fault, to compare the printed times against.
    expect(await transcribedSince(Date.now(), 'baseline, no fault')).toBeLessThan(RECOVERY_BOUND_MS);
    await playbackEnded();
    const since = Date.now();
    h.emu.voice.dave.proposeUnannouncedUser(h.guild.id);
    await h.emu.waitFor(() => recoveries('protocol-error').some((l) => l.includes('UnexpectedUser')) || undefined, {
      label: 'protocol error logged',
    });
    expect(await transcribedSince(since, 'unannounced-user proposal')).toBeLessThan(RECOVERY_BOUND_MS);
  }, 40_000);

  test('malformed binary frames (1 byte; op 29 cut short; op 27 empty): caught and logged, next utterance heard', async () => {
    await playbackEnded();
    const before = recoveries('protocol-error').length;
    const since = Date.now();
    for (const kind of ['short-frame', 'truncated-commit', 'empty-proposals'] as const) h.emu.voice.dave.sendMalformed(h.guild.id, kind);
    await h.emu.waitFor(() => recoveries('protocol-error').length - before >= 3 || undefined, { label: 'three protocol errors logged' });
    expect(await transcribedSince(since, 'malformed binary frames')).toBeLessThan(RECOVERY_BOUND_MS);
  }, 40_000);

  test('proposals before the external sender on a new voice session (4006): caught, the group forms, next utterance heard', async () => {
    await playbackEnded();
    const before = recoveries('protocol-error').length;
    const identifies = h.emu.voice.identifies;
    const since = Date.now();
    h.emu.voice.dave.proposalsBeforeExternalSenderOnNextSession(h.guild.id);
    h.emu.voice.dave.invalidateSession(h.guild.id);
    await h.emu.waitFor(() => (h.emu.voice.identifies > identifies && recoveries('protocol-error').length > before) || undefined, {
      label: 'a new voice session and the early proposals caught',
      timeoutMs: 15_000,
    });
    await h.emu.voice.waitForDave(h.guild.id);
    expect(await transcribedSince(since, 'proposals before external sender (new session)')).toBeLessThan(RECOVERY_BOUND_MS);
  }, 40_000);

  test('undecryptable audio after a transition with id 0 (the library would go deaf): re-subscribed, DAVE re-initialised, next utterance heard', async () => {
    await playbackEnded();
    expect(h.emu.voice.dave.group(h.guild.id).transitions.at(-1)?.transitionId).toBe(0);
    const since = Date.now();
    h.emu.voice.dave.corruptAudio(h.guild.id, h.alice.id, 80);
    await aliceSpeaks();
    await h.emu.waitFor(() => recoveries('dave-reinit').length > 0 || undefined, { label: 'DAVE re-initialised', timeoutMs: 15_000 });
    expect(recoveries('resubscribe').length).toBeGreaterThan(0);
    await h.emu.voice.waitForDave(h.guild.id);
    expect(await transcribedSince(since, 'undecryptable audio, transition id 0')).toBeLessThan(RECOVERY_BOUND_MS + 3000);
  }, 60_000);

  test('undecryptable audio after a numbered transition: the library re-initialises (op 31), logged, next utterance heard', async () => {
    await playbackEnded();
    h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.bob.id });
    await h.emu.voice.waitForDave(h.guild.id);
    expect(h.emu.voice.dave.group(h.guild.id).transitions.at(-1)?.transitionId).toBeGreaterThan(0);
    const since = Date.now();
    h.emu.voice.dave.corruptAudio(h.guild.id, h.alice.id, 80);
    await aliceSpeaks();
    await h.emu.waitFor(() => recoveries('library-reinit').length > 0 || undefined, {
      label: 'library re-initialised DAVE',
      timeoutMs: 15_000,
    });
    await h.emu.voice.waitForDave(h.guild.id);
    expect(await transcribedSince(since, 'undecryptable audio, numbered transition')).toBeLessThan(RECOVERY_BOUND_MS + 3000);
  }, 60_000);

  test("Bob's Add proposal reaches Eos before op 11 announces him (Discord's race): caught, op 31 and back, both heard", async () => {
    await playbackEnded();
    h.emu.voice.userLeavesVoice({ guildId: h.guild.id, userId: h.bob.id });
    await h.emu.voice.waitForDave(h.guild.id);
    const op31 = () => h.emu.voice.events.filter((e) => e.dir === 'in' && e.op === 31).length;
    const [errors, invalid] = [recoveries('protocol-error').length, op31()];
    const since = Date.now();
    h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.bob.id, announceDelayMs: 300 });
    await h.emu.waitFor(
      () =>
        recoveries('protocol-error')
          .slice(errors)
          .some((l) => l.includes('UnexpectedUser')) || undefined,
      { label: 'the early Add caught' },
    );
    await h.emu.waitFor(() => op31() > invalid || undefined, { label: "op 31: Eos could not apply the others' commit" });
    await h.emu.voice.waitForDave(h.guild.id);
    expect(h.emu.voice.dave.group(h.guild.id).members.sort()).toEqual([h.alice.id, h.bob.id, h.emu.botUser.id].sort());
    expect(await transcribedSince(since, 'Add before op 11 (race)')).toBeLessThan(RECOVERY_BOUND_MS);
  }, 40_000);
});
