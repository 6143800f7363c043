import { describe, expect, test } from 'vitest';
import { durationMs, rms } from '../../src/voice/audio/pcm.js';
import { toMono16k, toStereo48k } from '../../src/voice/audio/resample.js';
import { SpeechError } from '../../src/voice/ports.js';
import { createPocketsphinxSpeechToText, parseHypotheses } from '../../src/voice/stt/pocketsphinx.js';
import { createEspeakTextToSpeech } from '../../src/voice/tts/espeak.js';
import { createFliteTextToSpeech } from '../../src/voice/tts/flite.js';
import { GOFORWARD_GRAM, GOFORWARD_TEXT, goforward } from '../fixtures/audio.js';

describe('pocketsphinx', () => {
  test('transcribes goforward.raw exactly with the JSGF grammar', async () => {
    const stt = createPocketsphinxSpeechToText({ jsgf: GOFORWARD_GRAM });
    expect(await stt.transcribe(goforward())).toBe(GOFORWARD_TEXT);
  });

  test('transcribes goforward.raw with the general language model', async () => {
    const text = await createPocketsphinxSpeechToText().transcribe(goforward());
    expect(text).toContain('forward');
  });

  test('missing binary or model is reported as unavailable', async () => {
    const noBinary = createPocketsphinxSpeechToText({ binary: 'pocketsphinx_continuous_missing' });
    await expect(noBinary.transcribe(goforward())).rejects.toMatchObject({ kind: 'unavailable' });
    const noModel = createPocketsphinxSpeechToText({ modelDir: '/nonexistent/model' });
    await expect(noModel.transcribe(goforward())).rejects.toMatchObject({ kind: 'unavailable' });
  });

  test('parseHypotheses joins utterance lines and drops log lines', () => {
    expect(parseHypotheses('go forward\nINFO: something\n\nten meters\n')).toBe('go forward ten meters');
    expect(parseHypotheses('')).toBe('');
  });
});

describe('offline text-to-speech', () => {
  test('flite kal16 -> 48 kHz stereo -> 16 kHz mono -> pocketsphinx with the grammar: same sentence', async () => {
    const speech = await createFliteTextToSpeech({ voice: 'kal16' }).synthesize(GOFORWARD_TEXT);
    expect(speech.sampleRate).toBe(16_000);
    const viaDiscord = toMono16k(toStereo48k(speech));
    const heard = await createPocketsphinxSpeechToText({ jsgf: GOFORWARD_GRAM }).transcribe(viaDiscord);
    expect(heard).toBe(GOFORWARD_TEXT);
  });

  test('espeak-ng produces non-silent speech of plausible duration', async () => {
    const tts = createEspeakTextToSpeech({ voice: 'en-us' });
    const pcm = await tts.synthesize(GOFORWARD_TEXT);
    expect(pcm.sampleRate).toBe(22_050);
    expect(durationMs(pcm)).toBeGreaterThan(800);
    expect(durationMs(pcm)).toBeLessThan(4000);
    expect(rms(pcm.samples)).toBeGreaterThan(500);
    const longer = await tts.synthesize(`${GOFORWARD_TEXT}, then turn left and go backward five meters`);
    expect(durationMs(longer)).toBeGreaterThan(durationMs(pcm) * 1.8);
  });

  test('hostile text is spoken as text, not run: no shell, option-like input is fine', async () => {
    const text = '-v xx; rm -rf / $(reboot) `id` --help';
    const pcm = await createFliteTextToSpeech().synthesize(text);
    expect(rms(pcm.samples)).toBeGreaterThan(300);
    const espeak = await createEspeakTextToSpeech().synthesize(text);
    expect(durationMs(espeak)).toBeGreaterThan(1000);
  });

  test('empty text gives empty audio; bad voices and a missing binary are SpeechErrors', async () => {
    expect((await createFliteTextToSpeech().synthesize('  \n\u0000 ')).samples.length).toBe(0);
    expect(() => createFliteTextToSpeech({ voice: 'nonexistent' })).toThrow(SpeechError);
    await expect(createEspeakTextToSpeech({ voice: 'xx-nonexistent' }).synthesize('hello')).rejects.toMatchObject({ kind: 'engine' });
    await expect(createEspeakTextToSpeech({ binary: 'espeak-ng-missing' }).synthesize('hello')).rejects.toMatchObject({
      kind: 'unavailable',
    });
  });

  test('a timeout kills the engine; an aborted signal stops it', async () => {
    const long = 'word '.repeat(800);
    await expect(createEspeakTextToSpeech({ timeoutMs: 1 }).synthesize(long)).rejects.toMatchObject({ kind: 'timeout' });
    const controller = new AbortController();
    const pending = createFliteTextToSpeech().synthesize(long, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
  });
});
