/** SpeechToText on OpenAI's (or any compatible server's) POST /audio/transcriptions, e.g. gpt-transcribe. */
import { toFile } from 'openai';
import { safeBaseUrl } from '../../llm/openai.js';
import { encodeWav } from '../audio/wav.js';
import { SpeechError, type SpeechToText } from '../ports.js';
import { requestOptions, secretOf, speechClient, toSpeechError, type OpenAiSpeechClientOptions } from './openai-shared.js';

export interface OpenAiSpeechToTextOptions extends OpenAiSpeechClientOptions {
  /** Default 'gpt-transcribe' (whisper-1 shuts down 2027-02-26). */
  model?: string;
}

export function createOpenAiSpeechToText(opts: OpenAiSpeechToTextOptions = {}): SpeechToText {
  const client = speechClient(opts);
  const model = opts.model ?? 'gpt-transcribe';
  const secret = secretOf(opts, client);
  return {
    description: `openai:${model} @ ${safeBaseUrl(client.baseURL)}`,
    async transcribe(audio, o = {}) {
      if (audio.samples.length === 0) return '';
      try {
        const file = await toFile(encodeWav(audio), 'speech.wav', { type: 'audio/wav' });
        const result = await client.audio.transcriptions.create(
          {
            file,
            model,
            ...(o.language ? { language: o.language } : {}),
            ...(o.prompt ? { prompt: o.prompt } : {}),
          },
          requestOptions(opts, o.signal),
        );
        return textOf(result);
      } catch (err) {
        throw toSpeechError(err, 'OpenAI transcription', o.signal, secret);
      }
    },
  };
}

/** A JSON transcription object, or plain text from servers that answer `text` format anyway. */
function textOf(result: unknown): string {
  if (typeof result === 'string') return result.trim();
  if (typeof result === 'object' && result !== null && 'text' in result && typeof result.text === 'string') {
    return result.text.trim();
  }
  throw new SpeechError('http', 'the transcription answer has no text (is baseURL an OpenAI-compatible /v1 endpoint?)');
}
