/**
 * Voice engine figures on this machine: `npx tsx bench/voice-engines.ts`.
 * Engines run as child processes, so their figures are wall-clock; the in-process parts (endpointer,
 * resampler) are CPU time of this process per second of audio.
 */
import { readFileSync } from 'node:fs';
import { encodeOggOpus } from '../src/voice/audio/ffmpeg.js';
import { concatSamples, int16FromBytes } from '../src/voice/audio/pcm.js';
import { toMono16k } from '../src/voice/audio/resample.js';
import { Endpointer } from '../src/voice/audio/vad.js';
import type { Pcm } from '../src/voice/ports.js';
import { createPocketsphinxSpeechToText } from '../src/voice/stt/pocketsphinx.js';
import { createEspeakTextToSpeech } from '../src/voice/tts/espeak.js';
import { createFliteTextToSpeech } from '../src/voice/tts/flite.js';

const GOFORWARD = '/usr/share/pocketsphinx/test/data/goforward.raw';
const GRAMMAR = '/usr/share/pocketsphinx/test/data/goforward.gram';
const SENTENCES = [
  'go forward ten meters',
  'the quick brown fox jumps over the lazy dog',
  'please turn on the lights in the kitchen',
  'what time is the meeting tomorrow morning',
  'i would like a cup of coffee with milk',
];

async function timeEach(runs: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  await fn(0);
  const start = performance.now();
  for (let i = 0; i < runs; i++) await fn(i);
  return (performance.now() - start) / runs;
}

function cpuMsPerAudioSecond(audioMs: number, fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (audioMs / 1000);
}

function line(name: string, value: number, unit: string): void {
  console.log(`${name.padEnd(44)} ${value.toFixed(2).padStart(9)} ${unit}`);
}

async function main(): Promise<void> {
  const gf: Pcm = { samples: int16FromBytes(readFileSync(GOFORWARD)), sampleRate: 16_000, channels: 1 };
  const gfSecs = gf.samples.length / 16_000;
  console.log(`voice engines on ${process.platform}/${process.arch}, node ${process.version}\n`);

  const espeak = createEspeakTextToSpeech();
  line('espeak-ng en-us, per sentence', await timeEach(10, (i) => espeak.synthesize(SENTENCES[i % 5] ?? '')), 'ms');
  const flite = createFliteTextToSpeech({ voice: 'kal16' });
  line('flite kal16, per sentence', await timeEach(10, (i) => flite.synthesize(SENTENCES[i % 5] ?? '')), 'ms');

  const jsgf = createPocketsphinxSpeechToText({ jsgf: GRAMMAR });
  const lm = createPocketsphinxSpeechToText();
  const jsgfMs = await timeEach(3, () => jsgf.transcribe(gf));
  const lmMs = await timeEach(3, () => lm.transcribe(gf));
  line(`pocketsphinx JSGF, goforward (${gfSecs.toFixed(2)} s)`, jsgfMs, 'ms');
  line(`pocketsphinx LM, goforward (${gfSecs.toFixed(2)} s)`, lmMs, 'ms');
  line('pocketsphinx LM, real-time factor', lmMs / 1000 / gfSecs, 'x');

  const stream = concatSamples(Array.from({ length: 20 }, () => concatSamples([gf.samples, new Int16Array(16_000)])));
  const streamMs = (stream.length / 16_000) * 1000;
  for (const vad of ['fvad', 'energy'] as const) {
    const ep = await Endpointer.create({ vad });
    let count = 0;
    const cpu = cpuMsPerAudioSecond(streamMs, () => {
      for (let i = 0; i < stream.length; i += 960) count += ep.push(stream.subarray(i, i + 960)).length;
      count += ep.flush().length;
    });
    ep.dispose();
    line(`Endpointer ${vad} (${count} utterances in ${(streamMs / 1000).toFixed(0)} s)`, cpu, 'ms CPU / audio s');
  }

  const stereo48: Pcm = {
    samples: new Int16Array(48_000 * 2 * 10).map((_, i) => Math.round(8000 * Math.sin(i / 20))),
    sampleRate: 48_000,
    channels: 2,
  };
  line(
    'resample 48 kHz stereo -> 16 kHz mono',
    cpuMsPerAudioSecond(10_000, () => toMono16k(stereo48)),
    'ms CPU / audio s',
  );
  line('Ogg Opus voice message (ffmpeg), goforward', await timeEach(3, () => encodeOggOpus(gf)), 'ms');
}

await main();
