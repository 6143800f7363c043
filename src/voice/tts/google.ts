/**
 * TextToSpeech with Google Translate's TTS endpoint (via google-tts-api's URL builder): MP3 pieces of at most
 * 200 characters, fetched in parallel and decoded with ffmpeg. Unofficial and rate-limited by Google.
 */
import { getAllAudioUrls } from 'google-tts-api';
import { decodeToPcm } from '../audio/ffmpeg.js';
import { concatPcm, emptyPcm } from '../audio/pcm.js';
import { SpeechError, type Pcm, type TextToSpeech } from '../ports.js';
import { breakLongWords, DEFAULT_MAX_CHARS, sanitizeSpeechText } from './text.js';

export interface GoogleTtsOptions {
  /** Language code, e.g. 'en' (default), 'en-GB', 'fr'. */
  lang?: string;
  /** Default 'https://translate.google.com' (tests point it at 127.0.0.1). */
  host?: string;
  fetch?: typeof fetch;
  /** Per piece (fetch and decode each). Default 10000. */
  timeoutMs?: number;
  /** Longer text is cut at a word boundary. Default 1000 (5 or 6 pieces). */
  maxChars?: number;
  /** Path of ffmpeg for MP3 decoding. */
  ffmpegPath?: string;
}

const PIECE_CHARS = 200;
/** Google serves 24 kHz mono MP3. */
export const GOOGLE_TTS_SAMPLE_RATE = 24_000;

export function createGoogleTextToSpeech(opts: GoogleTtsOptions = {}): TextToSpeech {
  const lang = opts.lang ?? 'en';
  const host = (opts.host ?? 'https://translate.google.com').replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const format = { sampleRate: GOOGLE_TTS_SAMPLE_RATE, channels: 1 };

  async function piece(url: string, signal: AbortSignal | undefined): Promise<Pcm> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const mp3 = await download(doFetch, url, signal ? AbortSignal.any([signal, timeout]) : timeout, signal);
    return decodeToPcm(mp3, format, {
      timeoutMs,
      ...(signal ? { signal } : {}),
      ...(opts.ffmpegPath ? { ffmpegPath: opts.ffmpegPath } : {}),
    });
  }

  return {
    description: `google-tts:${lang} @ ${host}`,
    async synthesize(text, o = {}) {
      const clean = breakLongWords(sanitizeSpeechText(text, opts.maxChars ?? DEFAULT_MAX_CHARS), PIECE_CHARS - 1);
      if (clean === '') return emptyPcm(GOOGLE_TTS_SAMPLE_RATE);
      const urls = getAllAudioUrls(clean, { lang, host }).filter((p) => p.shortText.trim() !== '');
      const parts = await Promise.all(urls.map((p) => piece(p.url, o.signal)));
      return concatPcm(parts, GOOGLE_TTS_SAMPLE_RATE, 1);
    },
  };
}

async function download(doFetch: typeof fetch, url: string, signal: AbortSignal, caller: AbortSignal | undefined): Promise<Buffer> {
  let response: Response;
  let body: Buffer;
  try {
    response = await doFetch(url, { signal, headers: { 'user-agent': 'Mozilla/5.0 (eos voice)' } });
    body = Buffer.from(await response.arrayBuffer());
  } catch (err) {
    if (caller?.aborted) throw new SpeechError('aborted', 'Google TTS request aborted');
    if (signal.aborted) throw new SpeechError('timeout', 'Google TTS request timed out');
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    throw new SpeechError('network', `cannot reach Google TTS: ${err instanceof Error ? err.message : String(err)}${cause}`);
  }
  if (!response.ok) throw new SpeechError('http', `Google TTS answered HTTP ${response.status}`, response.status);
  if (body.length === 0) throw new SpeechError('http', 'Google TTS answered with an empty body', response.status);
  return body;
}
