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
  const remote = buildSpeech(loadConfig({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', EOS_TTS_PROVIDER: 'flite' }, cwd: tmpdir(), envFile: false }), log);
  expect(remote.stt.description).toMatch(/whisper-1/);
  expect(remote.tts.description).toMatch(/flite/);
  const espeak = buildSpeech(loadConfig({ env: { EOS_STT_PROVIDER: 'offline', EOS_TTS_PROVIDER: 'espeak' }, cwd: tmpdir(), envFile: false }), log);
  expect(espeak.tts.description).toMatch(/espeak/);
});
