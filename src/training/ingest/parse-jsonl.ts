/** JSONL: one JSON value per line (OpenAI chat format `{"messages":[...]}`); blank lines are skipped. */
import { lineBatches } from './source.js';
import type { ParsedItem } from './types.js';

export function parseJsonValue(text: string, line: number): ParsedItem {
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch {
    return { line, error: { line, code: 'invalid_json', message: 'not valid JSON' } };
  }
}

export async function* parseJsonl(chunks: AsyncIterable<string>): AsyncGenerator<ParsedItem[]> {
  for await (const lines of lineBatches(chunks)) {
    const items: ParsedItem[] = [];
    for (const { text, line } of lines) {
      if (text.trim() !== '') items.push(parseJsonValue(text, line));
    }
    if (items.length > 0) yield items;
  }
}
