/** Picks the TextToSpeech engine from configuration. */
import { SpeechError, type TextToSpeech } from '../ports.js';
import type { OpenAiSpeechClientOptions } from '../stt/openai-shared.js';
import { createEspeakTextToSpeech } from './espeak.js';
import { createFliteTextToSpeech } from './flite.js';
import { createGoogleTextToSpeech, type GoogleTtsOptions } from './google.js';
import { createOpenAiTextToSpeech } from './openai.js';

export interface TextToSpeechConfig {
  provider: 'google' | 'openai' | 'espeak' | 'flite';
  /**
   * Engine-specific voice; null = engine default. google: language code ('en'); openai: 'alloy'...;
   * espeak: 'en-us', 'en-us+klatt6'...; flite: 'kal16', 'slt'... or a .flitevox path.
   */
  voice: string | null;
  /** Connection settings for provider 'openai' (required then), plus an optional TTS model. */
  openai?: (OpenAiSpeechClientOptions & { model?: string }) | null;
  /** Extra Google settings (host, fetch, timeoutMs). */
  google?: Omit<GoogleTtsOptions, 'lang'>;
}

export function createTextToSpeech(cfg: TextToSpeechConfig): TextToSpeech {
  const voice = cfg.voice ?? undefined;
  switch (cfg.provider) {
    case 'google':
      return createGoogleTextToSpeech({ ...cfg.google, ...(voice ? { lang: voice } : {}) });
    case 'openai':
      if (!cfg.openai) {
        throw new SpeechError('unavailable', "text-to-speech provider 'openai' needs OpenAI settings (apiKey and/or baseURL)");
      }
      return createOpenAiTextToSpeech({ ...cfg.openai, ...(voice ? { voice } : {}) });
    case 'espeak':
      return createEspeakTextToSpeech(voice ? { voice } : {});
    case 'flite':
      return createFliteTextToSpeech(voice ? { voice } : {});
  }
}
