/**
 * POST /v1/audio/transcriptions and POST /v1/audio/speech for the fake server. Each fake server gets its own
 * state from createAudioFake(); tests reach it as `fake.audio`:
 *
 *   fake.audio.queueTranscripts('hello');                       // scripted (default: '' when the queue is empty)
 *   fake.audio.transcribeWith(speechToTextTranscriber(stt));    // or recognise the uploaded audio for real
 *   fake.audio.transcriptions[0].file                           // the uploaded bytes (a WAV from our adapter)
 *   fake.audio.speeches[0].input                                // /audio/speech answers real flite speech
 */
import { decodeToPcm, encodePcm } from '../../../src/voice/audio/ffmpeg.js';
import { convertPcm, toMono16k } from '../../../src/voice/audio/resample.js';
import { bytesFromInt16, durationMs } from '../../../src/voice/audio/pcm.js';
import { decodeWav, encodeWav } from '../../../src/voice/audio/wav.js';
import type { Pcm, SpeechToText } from '../../../src/voice/ports.js';
import { createEspeakTextToSpeech } from '../../../src/voice/tts/espeak.js';
import { createFliteTextToSpeech } from '../../../src/voice/tts/flite.js';
import { sendError, sendJson } from '../http.js';
import type { Route, RouteContext } from '../types.js';

export interface RecordedTranscription {
  /** The uploaded file's bytes. */
  file: Buffer;
  filename: string;
  /** The file part's content type ('' when none). */
  fileType: string;
  model: string;
  language?: string;
  prompt?: string;
  /** All non-file form fields as sent. */
  fields: Record<string, string>;
}

export interface RecordedSpeech {
  model: string;
  input: string;
  voice: unknown;
  responseFormat: string;
  body: Record<string, unknown>;
}

export type Transcriber = (audio: Buffer, request: RecordedTranscription) => string | Promise<string>;
export type Synthesizer = (input: string, request: RecordedSpeech) => Promise<Pcm>;
/** A scripted transcription answer: the text, or an HTTP error. */
export type TranscriptReply = string | { status: number; error?: string };

export interface FakeAudio {
  transcriptions: RecordedTranscription[];
  speeches: RecordedSpeech[];
  /** Answers for the next transcriptions, before the transcriber is asked. */
  queueTranscripts(...replies: TranscriptReply[]): void;
  /** Used when the queue is empty. Default: answers ''. */
  transcribeWith(fn: Transcriber): void;
  /** Default: flite kal16 (espeak-ng when flite is missing). */
  synthesizeWith(fn: Synthesizer): void;
  /** The next /audio/speech requests fail with these statuses. */
  failSpeech(...statuses: number[]): void;
}

/** OpenAI answers WAV and PCM at 24 kHz mono. */
const SPEECH_FORMAT = { sampleRate: 24_000, channels: 1 };
const ENCODERS: Record<string, string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '48k', '-f', 'mp3'],
  opus: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'],
  aac: ['-c:a', 'aac', '-f', 'adts'],
  flac: ['-f', 'flac'],
};

/** A Transcriber that decodes the upload and runs a real SpeechToText on it (e.g. PocketSphinx). */
export function speechToTextTranscriber(stt: SpeechToText): Transcriber {
  return async (audio, request) => {
    const pcm = audio.toString('ascii', 0, 4) === 'RIFF' ? decodeWav(audio) : await decodeToPcm(audio, { sampleRate: 16_000, channels: 1 });
    return stt.transcribe(toMono16k(pcm), {
      ...(request.language ? { language: request.language } : {}),
      ...(request.prompt ? { prompt: request.prompt } : {}),
    });
  };
}

/** flite kal16 speech, falling back to espeak-ng. */
export const offlineSynthesizer: Synthesizer = async (input) => {
  try {
    return await createFliteTextToSpeech({ voice: 'kal16' }).synthesize(input);
  } catch {
    return createEspeakTextToSpeech().synthesize(input);
  }
};

async function readForm(ctx: RouteContext): Promise<FormData | undefined> {
  const contentType = ctx.req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) return undefined;
  try {
    return await new Response(new Uint8Array(ctx.rawBody), { headers: { 'content-type': contentType } }).formData();
  } catch {
    return undefined;
  }
}

async function toRecord(form: FormData): Promise<RecordedTranscription | undefined> {
  const file = form.get('file');
  if (!(file instanceof Blob)) return undefined;
  const fields: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === 'string') fields[key] = value;
  return {
    file: Buffer.from(await file.arrayBuffer()),
    filename: file instanceof File ? file.name : '',
    fileType: file.type,
    model: fields['model'] ?? '',
    ...(fields['language'] !== undefined ? { language: fields['language'] } : {}),
    ...(fields['prompt'] !== undefined ? { prompt: fields['prompt'] } : {}),
    fields,
  };
}

function audioSeconds(file: Buffer): number {
  try {
    return Math.round(durationMs(decodeWav(file))) / 1000;
  } catch {
    return 0;
  }
}

interface AudioState {
  transcriptions: RecordedTranscription[];
  speeches: RecordedSpeech[];
  transcriptQueue: TranscriptReply[];
  speechFailures: number[];
  transcriber: Transcriber;
  synthesizer: Synthesizer;
}

async function transcribe(state: AudioState, ctx: RouteContext): Promise<void> {
  const form = await readForm(ctx);
  const record = form ? await toRecord(form) : undefined;
  if (!record) {
    ctx.contract.violations.push('POST /v1/audio/transcriptions: not a multipart body with a file part');
    return sendError(ctx, 400, "The request needs a multipart/form-data body with a 'file' part.");
  }
  ctx.contract.request('POST', ctx.path, { ...record.fields, file: '<binary>' }, 'multipart/form-data');
  state.transcriptions.push(record);
  const format = record.fields['response_format'] ?? 'json';
  if (format !== 'json' || record.fields['stream'] === 'true') {
    return sendError(ctx, 400, `The fake server answers response_format 'json' without streaming only (got '${format}').`);
  }
  const reply = state.transcriptQueue.shift() ?? (await state.transcriber(record.file, record));
  if (typeof reply !== 'string') return sendError(ctx, reply.status, reply.error, { 'retry-after-ms': '10' });
  sendJson(ctx, 200, { text: reply, usage: { type: 'duration', seconds: audioSeconds(record.file) } });
}

function toSpeechRecord(b: Record<string, unknown>): RecordedSpeech {
  return {
    model: String(b['model'] ?? ''),
    input: String(b['input'] ?? ''),
    voice: b['voice'],
    responseFormat: typeof b['response_format'] === 'string' ? b['response_format'] : 'mp3',
    body: b,
  };
}

async function speech(state: AudioState, ctx: RouteContext): Promise<void> {
  const body = ctx.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return sendError(ctx, 400, 'The request needs a JSON body.');
  const record = toSpeechRecord(body as Record<string, unknown>);
  state.speeches.push(record);
  const failure = state.speechFailures.shift();
  if (failure !== undefined) return sendError(ctx, failure, undefined, { 'retry-after-ms': '10' });
  if (record.body['stream_format'] === 'sse') return sendError(ctx, 400, "The fake server does not stream speech ('sse').");
  const pcm = convertPcm(await state.synthesizer(record.input, record), SPEECH_FORMAT);
  const audio = await encodeSpeech(pcm, record.responseFormat);
  if (!audio) return sendError(ctx, 400, `Unsupported response_format '${record.responseFormat}'.`);
  ctx.contract.response('POST', ctx.path, 200, audio, 'application/octet-stream');
  ctx.res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': audio.length });
  ctx.res.end(audio);
}

/** Fresh audio routes and their controls, one per fake server. */
export function createAudioFake(): { routes: Route[]; controls: FakeAudio } {
  const state: AudioState = {
    transcriptions: [],
    speeches: [],
    transcriptQueue: [],
    speechFailures: [],
    transcriber: () => '',
    synthesizer: offlineSynthesizer,
  };
  return {
    routes: [
      { method: 'POST', path: '/v1/audio/transcriptions', handle: (ctx) => transcribe(state, ctx) },
      { method: 'POST', path: '/v1/audio/speech', handle: (ctx) => speech(state, ctx) },
    ],
    controls: {
      transcriptions: state.transcriptions,
      speeches: state.speeches,
      queueTranscripts: (...replies) => void state.transcriptQueue.push(...replies),
      transcribeWith: (fn) => void (state.transcriber = fn),
      synthesizeWith: (fn) => void (state.synthesizer = fn),
      failSpeech: (...statuses) => void state.speechFailures.push(...statuses),
    },
  };
}

async function encodeSpeech(pcm: Pcm, format: string): Promise<Buffer | undefined> {
  if (format === 'wav') return encodeWav(pcm);
  if (format === 'pcm') return bytesFromInt16(pcm.samples);
  const args = ENCODERS[format];
  return args ? encodePcm(pcm, args) : undefined;
}
