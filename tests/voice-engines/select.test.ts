import { describe, expect, test } from 'vitest';
import { SpeechError } from '../../src/voice/ports.js';
import { createSpeechToText } from '../../src/voice/stt/select.js';
import { cleanWhisperText, createWhisperSpeechToText } from '../../src/voice/stt/whisper.js';
import { createTextToSpeech } from '../../src/voice/tts/select.js';
import { breakLongWords, sanitizeSpeechText } from '../../src/voice/tts/text.js';
import { goforward } from '../fixtures/audio.js';

// No Whisper model exists on this machine (none ships with npm or Debian), so only the
// "unavailable" paths of the whisper.cpp adapter can be tested here.
describe('whisper.cpp adapter without a model', () => {
  test('a missing model file is SpeechError unavailable with a clear message', async () => {
    const stt = createWhisperSpeechToText({ modelPath: '/nonexistent/ggml-base.en.bin' });
    const err = (await stt.transcribe(goforward()).catch((e: unknown) => e)) as SpeechError;
    expect(err).toBeInstanceOf(SpeechError);
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('/nonexistent/ggml-base.en.bin');
  });

  test('a missing package is SpeechError unavailable', async () => {
    const stt = createWhisperSpeechToText({
      modelPath: '/usr/share/pocketsphinx/test/data/goforward.raw',
      packageName: '@napi-rs/whisper-missing',
    });
    await expect(stt.transcribe(goforward())).rejects.toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('@napi-rs/whisper-missing'),
    });
  });

  test('non-speech markers are removed from Whisper output', () => {
    expect(cleanWhisperText(' [BLANK_AUDIO] ')).toBe('');
    expect(cleanWhisperText(' Go forward (music) ten meters.')).toBe('Go forward ten meters.');
  });
});

describe('engine selection', () => {
  test('speech-to-text: offline picks whisper with a model path, else pocketsphinx; openai needs settings', () => {
    const base = { model: 'gpt-transcribe', openai: null };
    expect(createSpeechToText({ ...base, provider: 'offline', whisperModelPath: null }).description).toBe('offline:pocketsphinx');
    expect(createSpeechToText({ ...base, provider: 'offline', whisperModelPath: '/m.bin' }).description).toBe('offline:whisper.cpp');
    expect(() => createSpeechToText({ ...base, provider: 'openai', whisperModelPath: null })).toThrow(SpeechError);
    const openai = createSpeechToText({
      provider: 'openai',
      model: 'gpt-4o-transcribe',
      whisperModelPath: null,
      openai: { baseURL: 'http://127.0.0.1:1/v1' },
    });
    expect(openai.description).toBe('openai:gpt-4o-transcribe @ http://127.0.0.1:1/v1');
  });

  test('text-to-speech: each provider with its voice', () => {
    expect(createTextToSpeech({ provider: 'flite', voice: null }).description).toBe('flite:kal16');
    expect(createTextToSpeech({ provider: 'espeak', voice: 'en-us+klatt6' }).description).toBe('espeak-ng:en-us+klatt6');
    expect(createTextToSpeech({ provider: 'google', voice: 'fr' }).description).toBe('google-tts:fr @ https://translate.google.com');
    const openai = createTextToSpeech({
      provider: 'openai',
      voice: 'nova',
      openai: { baseURL: 'http://u:p@127.0.0.1:1/v1', model: 'gpt-4o-mini-tts' },
    });
    expect(openai.description).toBe('openai:gpt-4o-mini-tts/nova @ http://127.0.0.1:1/v1');
    expect(() => createTextToSpeech({ provider: 'openai', voice: null })).toThrow(SpeechError);
  });
});

describe('speech text sanitizing', () => {
  test('drops control characters, code blocks, mentions and markup; caps at a word boundary', () => {
    expect(sanitizeSpeechText('**Hi** <@123456> see https://x.y/z\u0007 ```ts\ncode()\n``` ok')).toBe('Hi see link ok');
    const capped = sanitizeSpeechText('alpha beta gamma delta', 13);
    expect(capped).toBe('alpha beta');
    expect(breakLongWords(`a ${'x'.repeat(10)}`, 4)).toBe('a xxxx xxxx xx');
  });
});
