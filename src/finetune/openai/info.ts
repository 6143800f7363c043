import { DEFAULT_OPENAI_BASE_URL } from '../../llm/safe-url.js';
import type { BackendInfo } from '../port.js';
import type { OpenAiBackendOptions } from './backend.js';

/** What the OpenAI-compatible backend is, known without loading the openai SDK (src/finetune/lazy.ts). */
export function openAiBackendInfo(opts: Pick<OpenAiBackendOptions, 'baseURL' | 'contextTokens'>): BackendInfo {
  return {
    kind: 'openai',
    label: `OpenAI-compatible (${opts.baseURL ?? DEFAULT_OPENAI_BASE_URL})`,
    paid: true,
    minExamples: 10, // OpenAI: "at least 10 examples"
    contextTokens: opts.contextTokens ?? 65_536,
    fileFormat: 'openai',
    switchOnSuccess: false,
  };
}
