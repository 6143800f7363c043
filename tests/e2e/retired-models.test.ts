/**
 * Retired or unknown chat models, as a Discord user meets them: Eos configured with a retired EOS_CHAT_MODEL warns at
 * start naming the setting; when the endpoint answers 404 `model_not_found` (OpenAI's answer for an unknown or
 * shut-down model, after its API reference; the fake OpenAI server sends that body) the user's reply names
 * EOS_CHAT_MODEL instead of a generic apology; `!train use` refuses a retired model and one the endpoint does not
 * list. Real discord.js and openai SDK against the Discord emulator and the fake OpenAI server.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mention, startHarness, type Harness } from './harness.js';
import { echoResponder } from '../llm-server/index.js';
import { APOLOGIES } from '../../src/conversation/canned.js';
import { STT_MODEL_UNAVAILABLE } from '../../src/voice/voice-messages.js';
import { convertPcm } from '../../src/voice/audio/resample.js';
import { encodeOggOpus } from '../../src/voice/audio/ffmpeg.js';
import { goforward } from '../fixtures/audio.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    env: { EOS_CHAT_MODEL: 'gpt-4o-mini', EOS_STT_PROVIDER: 'openai', EOS_STT_MODEL: 'whisper-1', EOS_TTS_PROVIDER: 'flite' },
  });
}, 120_000);

afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
}, 60_000);

const run = async (userId: string, content: string) => {
  const msg = h.emu.userSays({ channelId: h.general.id, userId, content });
  return h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id, { timeoutMs: 30_000 });
};

describe('a retired or unknown chat model', () => {
  test('a retired EOS_CHAT_MODEL is warned about at start, naming the setting and the replacement', () => {
    const line = h.logs.flatMap((chunk) => chunk.split('\n')).find((l) => l.includes('retired model'));
    expect(line).toBeDefined();
    expect(line).toMatch(/warn/i);
    expect(line).toContain('`gpt-4o-mini` is retired by OpenAI on 2027-01-14: set EOS_CHAT_MODEL to a current model (e.g. `gpt-5.4-mini`)');
    const stt = h.logs.flatMap((chunk) => chunk.split('\n')).find((l) => l.includes('retired model') && l.includes('EOS_STT_MODEL'));
    expect(stt).toContain('`whisper-1` is retired by OpenAI on 2027-02-26: set EOS_STT_MODEL to a current model (e.g. `gpt-transcribe`)');
  });

  test('404 model_not_found: the reply says the model is unavailable and names EOS_CHAT_MODEL', async () => {
    h.llm!.respondWith(() => ({
      status: 404,
      code: 'model_not_found',
      retryAfterMs: null,
      error: 'The model `gpt-4o-mini` does not exist or you do not have access to it.',
    }));
    try {
      const r = await run(h.alice.id, mention(h.emu.botUser.id, 'hello?'));
      expect(r.content).toBe(APOLOGIES['model']);
      expect(r.content).toContain('EOS_CHAT_MODEL');
      expect(r.content).not.toContain("couldn't reach");
      expect(r.components ?? []).toHaveLength(0); // a status text: no 👍/👎 buttons
    } finally {
      h.llm!.respondWith(echoResponder);
    }
  }, 60_000);

  test('!train use refuses a retired model and one the endpoint does not list; a listed one is accepted', async () => {
    const retired = await run(h.owner.id, '!train use gpt-4o-mini-2024-07-18');
    expect(retired.content).toContain('`gpt-4o-mini-2024-07-18` is retired by OpenAI on 2027-01-14');
    expect(retired.content).toContain('EOS_CHAT_MODEL');
    const unknown = await run(h.owner.id, '!train use no-such-model');
    expect(unknown.content).toContain('does not list `no-such-model`');
    expect(unknown.content).toContain('EOS_CHAT_MODEL');
    expect(h.app.state.training().chatModel).toBeUndefined();
    const ok = await run(h.owner.id, '!train use fake-model');
    expect(ok.content).toBe('Chat model is now `fake-model`. `train use default` goes back.');
    expect(h.app.state.training().chatModel).toBe('fake-model');
    await run(h.owner.id, '!train use default');
    expect(h.app.state.training().chatModel).toBeUndefined();
  }, 90_000);
});

describe('a retired or unknown speech-to-text model', () => {
  test('404 model_not_found on a voice message: the reply names EOS_STT_MODEL', async () => {
    h.llm!.audio.queueTranscripts({ status: 404, error: 'The model `whisper-1` does not exist or you do not have access to it.' });
    const ogg = await encodeOggOpus(convertPcm(goforward(), { sampleRate: 48_000, channels: 1 }));
    const msg = h.emu.userSays({
      channelId: h.general.id,
      userId: h.alice.id,
      content: '',
      attachments: [{ name: 'voice-message.ogg', data: ogg, contentType: 'audio/ogg' }],
      flags: 8192,
    });
    const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id, { timeoutMs: 30_000 });
    expect(r.content).toBe(STT_MODEL_UNAVAILABLE);
    expect(r.content).toContain('EOS_STT_MODEL');
    expect(h.llm!.audio.transcriptions.at(-1)?.model).toBe('whisper-1');
  }, 60_000);
});
