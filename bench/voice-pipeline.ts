/**
 * Voice pipeline benchmark. Run: npx tsx bench/voice-pipeline.ts [trials=5] [cpuSeconds=60]
 * 1. Latency: real speech paced at real time into the standard pipeline with providers of fixed latency
 *    (STT 200 ms, LLM first delta 100 ms, TTS 50 ms); end of speech → first audio handed to the sink.
 *    overhead = measured − (silence window + 350 ms). Two feeds: 'continuous' (the client keeps sending room
 *    noise) and 'discord' (packets stop with the speech; the receive stream ends after the silence window).
 * 2. CPU per listened speaker: Opus decode (prism-media) → downmix/resample → fvad endpointer, as fast as possible,
 *    for 1, 2 and 4 concurrent speakers; process.cpuUsage per second of audio per speaker.
 * bench/run.ts calls runVoicePipeline().
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import prism from 'prism-media';
import { concatSamples, int16FromBytes } from '../src/voice/audio/pcm.js';
import { toStereo48k } from '../src/voice/audio/resample.js';
import { createFvadClassifier, loadFvadModule } from '../src/voice/audio/vad-classifiers.js';
import { pcmChunks } from '../src/voice/discord/player-sink.js';
import { decodePcm } from '../src/voice/discord/receiver.js';
import { createVoicePipeline } from '../src/voice/pipeline/build.js';
import { Pipeline } from '../src/voice/pipeline/pipeline.js';
import { DownmixStage } from '../src/voice/pipeline/stages/downmix.js';
import { EndpointStage } from '../src/voice/pipeline/stages/endpoint.js';
import type { Pcm } from '../src/voice/ports.js';
import { delay, FakeAudioSink, FakeSpeechToText, FakeTextToSpeech } from '../tests/fakes/speech.js';
import { isMain } from './lib/main.js';

const SILENCE_MS = 700;
const STT_MS = 200;
const LLM_FIRST_MS = 100;
const TTS_MS = 50;
const FRAME_MS = 20;

function noise(frames: number, seed: number): Int16Array {
  const out = new Int16Array(frames);
  let x = seed;
  for (let i = 0; i < frames; i++) out[i] = ((x = (x * 1103515245 + 12345) & 0x7fffffff) % 61) - 30;
  return out;
}

const speech16k = int16FromBytes(readFileSync('/usr/share/pocketsphinx/test/data/goforward.raw'));
const LEAD_MS = 300;

/** Where fvad hears the last speech frame of the clip (ms from the clip start). */
async function speechEndMs(clip16k: Int16Array): Promise<number> {
  const vad = createFvadClassifier(await loadFvadModule(), 3);
  let last = 0;
  for (let at = 0; at + 320 <= clip16k.length; at += 320) if (vad.isSpeech(clip16k.subarray(at, at + 320))) last = at + 320;
  vad.dispose();
  return (last / 16_000) * 1000;
}

function frames48k(pcm: Pcm): Pcm[] {
  const step = 960 * 2;
  const out: Pcm[] = [];
  for (let at = 0; at < pcm.samples.length; at += step)
    out.push({ samples: pcm.samples.subarray(at, at + step), sampleRate: 48_000, channels: 2 });
  return out;
}

async function latencyTrial(mode: 'continuous' | 'discord', endMs: number): Promise<number> {
  const clip16k = concatSamples([noise(LEAD_MS * 16, 1), speech16k, noise(2000 * 16, 2)]);
  const frames = frames48k(toStereo48k({ samples: clip16k, sampleRate: 16_000, channels: 1 }));
  const sink = new FakeAudioSink(1);
  const respond = async function* (_t: unknown, o: { signal: AbortSignal }) {
    await delay(LLM_FIRST_MS, o.signal);
    yield 'Sure, I heard you. Going forward now.';
  };
  const vp = createVoicePipeline({
    stt: new FakeSpeechToText('go forward ten meters', STT_MS),
    tts: new FakeTextToSpeech(TTS_MS),
    respond,
    sink,
    endpoint: { silenceMs: SILENCE_MS },
  });
  await vp.pipeline.start();
  const endFrame = Math.ceil(endMs / FRAME_MS);
  const lastFrame = mode === 'continuous' ? frames.length : endFrame + 5; // Discord clients send 5 silence frames
  const t0 = performance.now();
  let speechEndAt = 0;
  for (let k = 0; k < lastFrame && sink.plays.length === 0; k++) {
    const wait = t0 + k * FRAME_MS - performance.now();
    if (wait > 0) await delay(wait);
    vp.pipeline.push({ kind: 'audio', userId: 'u1', pcm: frames[k] as Pcm });
    if (k === endFrame - 1) speechEndAt = performance.now() - (endFrame * FRAME_MS - endMs);
  }
  if (mode === 'discord') {
    await delay(SILENCE_MS - 5 * FRAME_MS);
    vp.pipeline.push({ kind: 'audio-end', userId: 'u1' });
  }
  while (sink.plays.length === 0) await delay(1);
  const measured = (sink.plays[0]?.at ?? 0) - speechEndAt;
  await vp.pipeline.stop();
  return measured;
}

async function encodeOpus(pcm: Pcm): Promise<Buffer[]> {
  const packets: Buffer[] = [];
  const enc = new prism.opus.Encoder({ rate: 48_000, channels: 2, frameSize: 960 });
  enc.on('data', (p: Buffer) => packets.push(p));
  const done = new Promise((resolve) => enc.on('end', resolve));
  Readable.from(pcmChunks(pcm)).pipe(enc);
  await done;
  return packets;
}

/** Decode + downmix + VAD for `speakers` users fed `packets` each; CPU ms per audio second per speaker. */
async function cpuTrial(speakers: number, packets: Buffer[]): Promise<{ perSpeaker: number; utterances: number }> {
  const pipeline = new Pipeline([new DownmixStage(), new EndpointStage({ silenceMs: SILENCE_MS })]);
  let utterances = 0;
  pipeline.observe((f) => void (f.kind === 'utterance' && utterances++));
  await pipeline.start();
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: speakers }, (_, i) => {
      const userId = `u${i}`;
      const decoder = new prism.opus.Decoder({ rate: 48_000, channels: 2, frameSize: 960 });
      decoder.on('data', (chunk: Buffer) => pipeline.push({ kind: 'audio', userId, pcm: decodePcm(chunk) }));
      const ended = new Promise((resolve) => decoder.on('end', resolve));
      Readable.from(packets).pipe(decoder);
      return ended;
    }),
  );
  await pipeline.idle();
  const used = process.cpuUsage(before);
  await pipeline.stop();
  const audioSeconds = (packets.length * FRAME_MS) / 1000;
  return { perSpeaker: (used.user + used.system) / 1000 / audioSeconds / speakers, utterances };
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)] ?? 0;
  return `median ${med.toFixed(0)} ms (min ${(s[0] ?? 0).toFixed(0)}, max ${(s.at(-1) ?? 0).toFixed(0)})`;
}

export interface VoicePipelineFigures {
  trials: number;
  /** Where fvad hears the speech end in the clip (ms). */
  speechEndMs: number;
  /** silence window + STT + LLM first delta + TTS: the latency the fake providers impose. */
  expectedMs: number;
  /** End of speech -> first audio at the sink, per trial (ms). */
  latency: { continuous: number[]; discord: number[] };
  audioSecondsPerSpeaker: number;
  cpu: { speakers: number; msPerAudioSecond: number; utterances: number }[];
}

/** Latency trials for both feeds, then CPU per speaker for 1, 2 and 4 speakers. */
export async function runVoicePipeline(
  trials = 5,
  cpuSeconds = 60,
  log: (line: string) => void = () => undefined,
): Promise<VoicePipelineFigures> {
  const clip16k = concatSamples([noise(LEAD_MS * 16, 1), speech16k]);
  const endMs = await speechEndMs(clip16k);
  const expectedMs = SILENCE_MS + STT_MS + LLM_FIRST_MS + TTS_MS;
  const latency = { continuous: [] as number[], discord: [] as number[] };
  for (const mode of ['continuous', 'discord'] as const) {
    for (let i = 0; i < trials; i++) latency[mode].push(await latencyTrial(mode, endMs));
    log(
      `${mode.padEnd(10)} end of speech → first audio: ${stats(latency[mode])}; overhead ${stats(latency[mode].map((m) => m - expectedMs))}`,
    );
  }
  const oneClip = concatSamples([speech16k, noise(16_000, 3)]);
  const repeats = Math.max(1, Math.round(cpuSeconds / (oneClip.length / 16_000)));
  const long = toStereo48k({ samples: concatSamples(Array.from({ length: repeats }, () => oneClip)), sampleRate: 16_000, channels: 1 });
  const packets = await encodeOpus(long);
  const audioSecondsPerSpeaker = (packets.length * FRAME_MS) / 1000;
  const cpu: VoicePipelineFigures['cpu'] = [];
  await cpuTrial(1, packets.slice(0, 250)); // warm-up (JIT, wasm, decoder), not counted
  for (const speakers of [1, 2, 4]) {
    const r = await cpuTrial(speakers, packets);
    cpu.push({ speakers, msPerAudioSecond: r.perSpeaker, utterances: r.utterances });
    log(
      `${speakers} speaker(s): ${r.perSpeaker.toFixed(1)} ms CPU per audio second per speaker (${(r.perSpeaker / 10).toFixed(2)}% of a core), ${r.utterances} utterances`,
    );
  }
  return { trials, speechEndMs: endMs, expectedMs, latency, audioSecondsPerSpeaker, cpu };
}

if (isMain(import.meta.url)) {
  const trials = Number(process.argv[2] ?? 5);
  const cpuSeconds = Number(process.argv[3] ?? 60);
  console.log(
    `# voice pipeline (${trials} latency trials per feed; expected = silence ${SILENCE_MS} + STT ${STT_MS} + LLM first delta ${LLM_FIRST_MS} + TTS ${TTS_MS} ms)`,
  );
  await runVoicePipeline(trials, cpuSeconds, (line) => console.log(line));
}
