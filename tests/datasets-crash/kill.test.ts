/**
 * Crash test: a child process appends to a dataset concurrently and prints every acknowledged id;
 * it is SIGKILLed mid-stream. After init() (torn tails repaired), every acknowledged id must be in
 * the files, every line must parse, and the manifest counts must match the files.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { readJsonl } from '../../src/datasets/jsonl.js';
import { DatasetStore } from '../../src/datasets/store.js';

const REPO = resolve(import.meta.dirname, '../..');
const WRITER = join(REPO, 'tests/datasets-crash/writer.ts');
let root = '';

afterEach(async () => {
  if (root) await rm(join(root, '..'), { recursive: true, force: true });
});

/** Acknowledgements to wait for before the kill (the writer keeps appending: the kill lands mid-stream). */
const ACKS_BEFORE_KILL = 20;

/** Runs the writer, kills it once it has acknowledged ACKS_BEFORE_KILL appends; returns the acknowledged ids. */
function runAndKill(datasets: string): Promise<{ acked: Set<number>; stderr: string; signal: string | null }> {
  // node --import tsx (not node_modules/.bin/tsx): tsx's CLI runs the script in a grandchild that a
  // SIGKILL of the CLI would not reach.
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, datasets], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  let killed = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    // A count, not a fixed delay: 300 ms after 'ready' a loaded machine had acknowledged only 2 appends.
    if (!killed && (out.match(/^ack /gm)?.length ?? 0) >= ACKS_BEFORE_KILL) killed = child.kill('SIGKILL');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000); // only if the acknowledgements never come
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      const complete = out.slice(0, out.lastIndexOf('\n') + 1);
      const acked = new Set(
        complete
          .split('\n')
          .filter((l) => l.startsWith('ack '))
          .map((l) => Number(l.slice(4))),
      );
      done({ acked, stderr, signal });
    });
  });
}

function idOf(value: unknown): number {
  const v = value as { messages?: { content: string }[]; input?: { messages: { content: string }[] } };
  const first = v.messages?.[0]?.content ?? v.input?.messages[0]?.content ?? '';
  const match = /^question (\d+)$/.exec(first);
  if (!match) throw new Error(`unexpected record ${first.slice(0, 50)}`);
  return Number(match[1]);
}

test('every acknowledged append survives SIGKILL; every line parses after init()', async () => {
  root = join(await mkdtemp(join(tmpdir(), 'eos-crash-')), 'datasets');
  const { acked, stderr, signal } = await runAndKill(root);
  expect(stderr).toBe('');
  expect(signal).toBe('SIGKILL');
  expect(acked.size).toBeGreaterThan(10);

  const store = new DatasetStore({ root, active: { get: () => 'default', set: async () => undefined } });
  const reports = await store.init();
  for (const r of reports) expect(r).toMatchObject({ dataset: 'default' });
  const found = new Set<number>();
  const counts: Record<string, number> = {};
  for (const file of ['positive', 'negative', 'preference'] as const) {
    counts[file] = 0;
    for await (const line of readJsonl(join(root, 'default', `${file}.jsonl`))) {
      expect(line.error).toBeUndefined();
      found.add(idOf(line.value));
      counts[file] += 1;
    }
  }
  const missing = [...acked].filter((id) => !found.has(id));
  expect(missing).toEqual([]);
  expect((await store.manifest('default')).counts).toEqual(counts);
  await store.close();
});
