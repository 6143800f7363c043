import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { cosine, vectorize, type Vector } from './similarity.js';

export interface Example {
  prompt: string;
  answer: string;
  score: number;
}

/** Retrieves stored examples (positive data and corrections) similar to a query. */
export interface ExampleMemory {
  search(query: string, k: number): Promise<Example[]>;
}

interface Indexed {
  prompt: string;
  answer: string;
  vector: Vector;
}

/**
 * Reads `<datasetsDir>/<active>/positive.jsonl` (OpenAI chat format), indexing each record's
 * last user message and the assistant answer after it. Re-reads the file when it changes.
 * Later records win ties, so a fresh correction beats an older example.
 */
export class JsonlExampleMemory implements ExampleMemory {
  private cache: { file: string; mtimeMs: number; size: number; items: Indexed[] } | null = null;

  constructor(
    private readonly datasetsDir: string,
    private readonly activeDataset: () => string,
  ) {}

  async search(query: string, k: number): Promise<Example[]> {
    const items = await this.load();
    const q = vectorize(query);
    return items
      .map((it, i) => ({ it, i, score: cosine(q, it.vector) }))
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score || b.i - a.i)
      .slice(0, k)
      .map(({ it, score }) => ({ prompt: it.prompt, answer: it.answer, score }));
  }

  private async load(): Promise<Indexed[]> {
    const file = path.join(this.datasetsDir, this.activeDataset(), 'positive.jsonl');
    const st = await stat(file).catch(() => null);
    if (!st) return [];
    const c = this.cache;
    if (c && c.file === file && c.mtimeMs === st.mtimeMs && c.size === st.size) return c.items;
    const text = await readFile(file, 'utf8');
    const items = text.split('\n').flatMap((line) => parseRecord(line));
    this.cache = { file, mtimeMs: st.mtimeMs, size: st.size, items };
    return items;
  }
}

function parseRecord(line: string): Indexed[] {
  if (!line.trim()) return [];
  try {
    const rec = JSON.parse(line) as { messages?: { role?: string; content?: unknown }[] };
    const msgs = rec.messages ?? [];
    let lastAnswer = -1;
    for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === 'assistant') { lastAnswer = i; break; }
    const user = msgs.slice(0, Math.max(lastAnswer, 0)).reverse().find((m) => m.role === 'user');
    const answer = msgs[lastAnswer];
    if (!user || !answer || typeof user.content !== 'string' || typeof answer.content !== 'string') return [];
    return [{ prompt: user.content, answer: answer.content, vector: vectorize(user.content) }];
  } catch {
    return [];
  }
}
