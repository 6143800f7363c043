/** OpenAI's own endpoint, where no base URL is configured. */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The base URL without credentials or query, safe for logs. (No SDK import: descriptions are built before the SDK loads.) */
export function safeBaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid base URL)';
  }
}

/** How an OpenAI-compatible chat model describes itself (logs, `!help`); the lazy model says the same before it loads. */
export function openAiModelDescription(model: string, baseURL: string): string {
  return `openai-compatible:${model} @ ${safeBaseUrl(baseURL)}`;
}
