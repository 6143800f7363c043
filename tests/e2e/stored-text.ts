/** Reading what Eos stored under its data folder, for tests that check what is (not) kept. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A file's text, or '' when it does not exist. */
export const readText = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');

/** Every .json and .jsonl file Eos writes data to (datasets, conversations, state, guilds), concatenated. */
export async function allStoredText(dataDir: string): Promise<string> {
  let all = '';
  for (const dir of ['datasets', 'conversations', 'state', 'guilds']) {
    for (const f of await readdir(path.join(dataDir, dir), { recursive: true }).catch(() => [] as string[])) {
      if (String(f).endsWith('.jsonl') || String(f).endsWith('.json')) all += await readText(path.join(dataDir, dir, String(f)));
    }
  }
  return all;
}
