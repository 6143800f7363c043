/**
 * Real crashes (SIGKILL) in the middle of multi-file commits of 5,000 records: after the restart every
 * batch is there whole or not at all, the manifest and the hash index agree with the files.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { DatasetStore } from '../../../src/datasets/store.js';
import { JOURNAL_FILE } from '../../../src/datasets/commit-journal.js';
import { PROJECT_ROOT } from '../../e2e/harness.js';
import { tempDir } from './helpers.js';

const count = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

async function killMidway(root: string, afterBytes: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/unit/datasets/crash-child.ts', root], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.on('exit', r));
  const file = join(root, 'default', 'positive.jsonl');
  for (;;) {
    const size = (await stat(file).catch(() => ({ size: 0 }))).size;
    if (size > afterBytes) break;
    if (child.exitCode !== null) throw new Error('child exited early');
    await new Promise((r) => setImmediate(r));
  }
  child.kill('SIGKILL');
  await exited;
}

test('SIGKILL during commits: whole batches only, manifest and hash index agree after restart', async () => {
  const root = join(await tempDir(), 'datasets');
  let rolledBack = 0;
  for (const bytes of [200_000, 1_500_000, 3_100_000]) {
    await killMidway(root, bytes);
    if ((await readdir(join(root, 'default'))).includes(JOURNAL_FILE)) rolledBack += 1;
    let active: string | undefined;
    const store = new DatasetStore({ root, active: { get: () => active, set: async (n) => void (active = n) } });
    await store.init();
    const positive = await count(join(root, 'default', 'positive.jsonl'));
    const negative = await count(join(root, 'default', 'negative.jsonl'));
    expect((positive + negative) % 5000).toBe(0);
    expect(positive).toBe(((positive + negative) / 5000) * 3333);
    expect((await store.manifest('default')).counts).toMatchObject({ positive, negative });
    expect(await count(join(root, 'default', '.hashes'))).toBe(positive + negative);
    expect(await readdir(join(root, 'default'))).not.toContain(JOURNAL_FILE);
    await store.close();
  }
  console.log(`crash test: ${rolledBack} of 3 kills landed inside a commit and were rolled back at start`);
}, 120_000);
