import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { durationMs, rms } from '../../src/voice/audio/pcm.js';
import { decodeWav } from '../../src/voice/audio/wav.js';
import { SpeechError } from '../../src/voice/ports.js';
import { createOpenAiSpeechToText } from '../../src/voice/stt/openai.js';
import { createPocketsphinxSpeechToText } from '../../src/voice/stt/pocketsphinx.js';
import { createOpenAiTextToSpeech } from '../../src/voice/tts/openai.js';
import { loadOpenAiSpec } from '../llm-server/contract.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';
import { speechToTextTranscriber } from '../llm-server/routes/audio.js';
import { GOFORWARD_GRAM, GOFORWARD_TEXT, goforward } from '../fixtures/audio.js';

const spec = loadOpenAiSpec();
let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlm({ spec });
});
afterAll(async () => {
  await fake.close();
});

function stt(model?: string) {
  return createOpenAiSpeechToText({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, ...(model ? { model } : {}) });
}

describe('OpenAI speech-to-text adapter', () => {
  test('uploads the utterance as a WAV file and returns the scripted text', async () => {
    fake.audio.queueTranscripts('  hello there  ');
    const audio = goforward();
    const text = await stt().transcribe(audio, { language: 'en', prompt: 'Eos' });
    expect(text).toBe('hello there');
    const sent = fake.audio.transcriptions.at(-1);
    expect(sent?.filename).toBe('speech.wav');
    expect(sent?.model).toBe('gpt-transcribe');
    expect(sent?.language).toBe('en');
    expect(sent?.prompt).toBe('Eos');
    const wav = decodeWav(sent?.file ?? Buffer.alloc(0));
    expect(wav.sampleRate).toBe(16_000);
    expect(Array.from(wav.samples)).toEqual(Array.from(audio.samples));
    expect(fake.contractViolations).toEqual([]);
  });

  test('end to end with the fake recognising the uploaded audio with pocketsphinx', async () => {
    fake.audio.transcribeWith(speechToTextTranscriber(createPocketsphinxSpeechToText({ jsgf: GOFORWARD_GRAM })));
    expect(await stt('gpt-transcribe').transcribe(goforward())).toBe(GOFORWARD_TEXT);
    expect(fake.audio.transcriptions.at(-1)?.model).toBe('gpt-transcribe');
    fake.audio.transcribeWith(() => '');
    expect(fake.contractViolations).toEqual([]);
  });

  test('HTTP and connection failures become SpeechErrors without leaking the key', async () => {
    fake.audio.queueTranscripts({ status: 500, error: 'boom' });
    const err = await stt()
      .transcribe(goforward())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect(err).toMatchObject({ kind: 'http', status: 500 });
    const offline = createOpenAiSpeechToText({ apiKey: 'sk-secret-123456', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
    const netErr = (await offline.transcribe(goforward()).catch((e: unknown) => e)) as SpeechError;
    expect(netErr.kind).toBe('network');
    expect(netErr.message).not.toContain('sk-secret-123456');
    expect(offline.description).toBe('openai:gpt-transcribe @ http://127.0.0.1:9/v1');
  });

  test('empty audio makes no request', async () => {
    const before = fake.audio.transcriptions.length;
    expect(await stt().transcribe({ samples: new Int16Array(0), sampleRate: 16_000, channels: 1 })).toBe('');
    expect(fake.audio.transcriptions.length).toBe(before);
  });
});

describe('OpenAI text-to-speech adapter', () => {
  const tts = () =>
    createOpenAiTextToSpeech({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, model: 'gpt-4o-mini-tts', voice: 'nova' });

  test('asks for WAV and returns real speech from the fake (flite)', async () => {
    const pcm = await tts().synthesize('go forward ten meters');
    const sent = fake.audio.speeches.at(-1);
    expect(sent).toMatchObject({ model: 'gpt-4o-mini-tts', voice: 'nova', input: 'go forward ten meters', responseFormat: 'wav' });
    expect(pcm.sampleRate).toBe(24_000);
    expect(durationMs(pcm)).toBeGreaterThan(800);
    expect(rms(pcm.samples)).toBeGreaterThan(300);
    expect(fake.contractViolations).toEqual([]);
  });

  test('the fake speech is intelligible: pocketsphinx hears the requested sentence', async () => {
    const pcm = await tts().synthesize(GOFORWARD_TEXT);
    const heard = await createPocketsphinxSpeechToText({ jsgf: GOFORWARD_GRAM }).transcribe(pcm);
    expect(heard).toBe(GOFORWARD_TEXT);
  });

  test('HTTP errors become SpeechErrors', async () => {
    fake.audio.failSpeech(429);
    await expect(tts().synthesize('hello')).rejects.toMatchObject({ kind: 'http', status: 429 });
    expect(fake.contractViolations).toEqual([]);
  });
});
