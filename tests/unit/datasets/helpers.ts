/** Shared helpers for dataset tests: temp folders and reading JSONL files back. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

/** Runs `fn` (e.g. closing a store) after the test, before the temp folders are removed. */
export function onCleanup(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

/** A fresh temp folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eos-datasets-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn().catch(() => undefined);
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Every line of a file parsed (throws on a bad line); a missing file gives []. */
export async function readLines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text !== '' && !text.endsWith('\n')) throw new Error(`${file} does not end with a newline`);
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
}

export function chat(user: string, reply: string, name?: string): { messages: { role: 'user' | 'assistant'; content: string; name?: string }[] } {
  return { messages: [{ role: 'user', content: user, ...(name ? { name } : {}) }, { role: 'assistant', content: reply }] };
}
