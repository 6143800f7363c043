import { appendFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Pair {
  id: number;
  question: string;
  answer: string;
  paraphrase: string;
}

/** A positive record in the shape the datasets write: system, context (assistant weight 0), final answer weight 1. */
export function record(q: string, a: string, context: [string, string][] = []): string {
  const messages: Record<string, unknown>[] = [{ role: 'system', content: 'You are Eos.' }];
  for (const [u, b] of context) messages.push({ role: 'user', content: `Sam: ${u}` }, { role: 'assistant', content: b, weight: 0 });
  messages.push({ role: 'user', content: `Alice: ${q}` }, { role: 'assistant', content: a, weight: 1 });
  return `${JSON.stringify({ messages })}\n`;
}

export async function datasetDir(lines: string[] = []): Promise<{ dir: string; file: string; append: (s: string) => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eos-memory-'));
  await mkdir(path.join(dir, 'default'));
  const file = path.join(dir, 'default', 'positive.jsonl');
  await writeFile(file, lines.join(''));
  return { dir, file, append: (s) => appendFile(file, s) };
}

export async function paraphrases(): Promise<Pair[]> {
  const url = new URL('../../fixtures/retrieval/paraphrases.json', import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')) as Pair[];
}
