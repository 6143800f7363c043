/** TextToSpeech on OpenAI's (or a compatible server's) POST /audio/speech, asking for WAV. */
import { safeBaseUrl } from '../../llm/openai.js';
import { decodeToPcm } from '../audio/ffmpeg.js';
import { emptyPcm } from '../audio/pcm.js';
import { decodeWav } from '../audio/wav.js';
import type { Pcm, TextToSpeech } from '../ports.js';
import { requestOptions, secretOf, speechClient, toSpeechError, type OpenAiSpeechClientOptions } from '../stt/openai-shared.js';
import { sanitizeSpeechText } from './text.js';

export interface OpenAiTextToSpeechOptions extends OpenAiSpeechClientOptions {
  /** Default 'gpt-4o-mini-tts'. */
  model?: string;
  /** Default 'alloy'. */
  voice?: string;
  /** Style instructions (gpt-4o-mini-tts only). */
  instructions?: string;
}

/** The API's input limit. */
const MAX_INPUT_CHARS = 4096;
/** OpenAI's wav and pcm output rate. */
export const OPENAI_TTS_SAMPLE_RATE = 24_000;

export function createOpenAiTextToSpeech(opts: OpenAiTextToSpeechOptions = {}): TextToSpeech {
  const client = speechClient(opts);
  const model = opts.model ?? 'gpt-4o-mini-tts';
  const voice = opts.voice ?? 'alloy';
  const secret = secretOf(opts, client);
  return {
    description: `openai:${model}/${voice} @ ${safeBaseUrl(client.baseURL)}`,
    async synthesize(text, o = {}) {
      const input = sanitizeSpeechText(text, MAX_INPUT_CHARS);
      if (input === '') return emptyPcm(OPENAI_TTS_SAMPLE_RATE);
      let audio: Buffer;
      try {
        const response = await client.audio.speech.create(
          {
            model,
            voice,
            input,
            response_format: 'wav',
            ...(opts.instructions ? { instructions: opts.instructions } : {}),
          },
          requestOptions(opts, o.signal),
        );
        audio = Buffer.from(await response.arrayBuffer());
      } catch (err) {
        throw toSpeechError(err, 'OpenAI speech', o.signal, secret);
      }
      return decodeAudio(audio, o.signal);
    },
  };
}

/** WAV as asked; compatible servers that ignore response_format (MP3...) go through ffmpeg. */
function decodeAudio(audio: Buffer, signal: AbortSignal | undefined): Promise<Pcm> | Pcm {
  if (audio.toString('ascii', 0, 4) === 'RIFF') return decodeWav(audio);
  return decodeToPcm(audio, { sampleRate: OPENAI_TTS_SAMPLE_RATE, channels: 1 }, signal ? { signal } : {});
}
