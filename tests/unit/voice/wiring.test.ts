import { tmpdir } from 'node:os';
import pino from 'pino';
import { expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { buildSpeech } from '../../../src/wiring-voice.js';

test('speech engines follow EOS_STT_PROVIDER / EOS_TTS_PROVIDER; openai STT without an endpoint falls back offline', () => {
  const logs: string[] = [];
  const log = pino({}, { write: (s: string) => void logs.push(s) });
  const none = buildSpeech(loadConfig({ env: {}, cwd: tmpdir(), envFile: false }), log);
  expect(none.stt.description).toMatch(/pocketsphinx/);
  expect(logs.join('')).toMatch(/using the offline speech-to-text engine/);
  const remote = buildSpeech(
    loadConfig({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', EOS_TTS_PROVIDER: 'flite' }, cwd: tmpdir(), envFile: false }),
    log,
  );
  expect(remote.stt.description).toMatch(/gpt-transcribe/);
  expect(remote.tts.description).toMatch(/flite/);
  const espeak = buildSpeech(
    loadConfig({ env: { EOS_STT_PROVIDER: 'offline', EOS_TTS_PROVIDER: 'espeak' }, cwd: tmpdir(), envFile: false }),
    log,
  );
  expect(espeak.tts.description).toMatch(/espeak/);
});

test('after a text reply: voice-message replies and speaking in the joined channel follow the config', async () => {
  const { afterReplyHook } = await import('../../../src/wiring-voice.js');
  const { FakeSurface, incoming } = await import('../../fakes/surface.js');
  const config = loadConfig({ env: {}, cwd: tmpdir(), envFile: false });
  const spoken: string[] = [];
  const manager = {
    textChannelOf: (g: string) => (g === 'g1' ? 'c1' : undefined),
    say: async (_g: string, t: string) => {
      spoken.push(t);
      return true;
    },
  };
  const tts = {
    description: 'tone',
    synthesize: async () => ({
      samples: new Int16Array(16_000).map((_, i) => Math.round(8000 * Math.sin(i / 5))),
      sampleRate: 16_000,
      channels: 1,
    }),
  };
  const surface = new FakeSurface();
  const off = afterReplyHook(config, { tts }, surface, () => manager as never);
  await off(incoming({ content: 'hi', fromVoice: true }), 'hello');
  expect(spoken).toEqual([]);
  expect(surface.sent).toHaveLength(0);
  const on = { ...config, bot: { ...config.bot, voice: { ...config.bot.voice, speakTextReplies: true, voiceMessageReplies: true } } };
  const hook = afterReplyHook(on, { tts }, surface, () => manager as never);
  await hook(incoming({ content: 'hi', fromVoice: true }), 'hello');
  expect(spoken).toEqual(['hello']);
  const voice = surface.sent[0]!.msg.voice!;
  expect(voice.data.subarray(0, 4).toString('ascii')).toBe('OggS');
  expect(voice.durationSecs).toBeCloseTo(1, 1);
  await hook(incoming({ content: 'hi', channelId: 'other' }), 'not spoken');
  expect(spoken).toEqual(['hello']);
});
