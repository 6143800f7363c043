/** Picks the SpeechToText engine from configuration. */
import { SpeechError, type SpeechToText } from '../ports.js';
import { createOpenAiSpeechToText } from './openai.js';
import type { OpenAiSpeechClientOptions } from './openai-shared.js';
import { createPocketsphinxSpeechToText, type PocketsphinxOptions } from './pocketsphinx.js';
import { createWhisperSpeechToText } from './whisper.js';

export interface SpeechToTextConfig {
  provider: 'openai' | 'offline';
  /** OpenAI transcription model, e.g. 'gpt-transcribe' (ignored offline). */
  model: string;
  /** Offline: a ggml Whisper model selects whisper.cpp; null selects PocketSphinx. */
  whisperModelPath: string | null;
  /** Connection settings for provider 'openai' (required then). */
  openai: OpenAiSpeechClientOptions | null;
  /** PocketSphinx settings (binary, modelDir, jsgf) for offline without a Whisper model. */
  pocketsphinx?: PocketsphinxOptions;
  /** whisper.cpp threads. */
  whisperThreads?: number;
}

export function createSpeechToText(cfg: SpeechToTextConfig): SpeechToText {
  if (cfg.provider === 'openai') {
    if (!cfg.openai) {
      throw new SpeechError('unavailable', "speech-to-text provider 'openai' needs OpenAI settings (apiKey and/or baseURL)");
    }
    return createOpenAiSpeechToText({ ...cfg.openai, model: cfg.model });
  }
  if (cfg.whisperModelPath) {
    return createWhisperSpeechToText({
      modelPath: cfg.whisperModelPath,
      ...(cfg.whisperThreads !== undefined ? { threads: cfg.whisperThreads } : {}),
    });
  }
  return createPocketsphinxSpeechToText(cfg.pocketsphinx ?? {});
}
