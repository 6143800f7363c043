/** Issue 8: "a zip made during !train holds a manifest that disagrees with its files". */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import yauzl from 'yauzl';
import { createArchive } from '../../../src/archive/index.js';
import { DatasetStore } from '../../../src/datasets/store.js';
import { chat, onCleanup, tempDir } from './helpers.js';

function unzip(data: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const files = new Map<string, string>();
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2 ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(e.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const lineCount = (text: string | undefined) => (text ?? '').split('\n').filter(Boolean).length;

test('zips made while imports are being written hold a manifest that agrees with their files', async () => {
  const base = await tempDir();
  const root = join(base, 'datasets');
  let active: string | undefined;
  const store = new DatasetStore({ root, active: { get: () => active, set: async (n) => void (active = n) }, manifestDelayMs: 5 });
  await store.init();
  onCleanup(() => store.close());
  const imports = (async () => {
    for (let b = 0; b < 8; b++) {
      await store.commit(Array.from({ length: 1500 }, (_, i) => ({ kind: 'positive' as const, record: chat(`q${b}-${i}`, `a${b}-${i}`) })), 'train');
    }
  })();
  const zips: string[] = [];
  let done = false;
  void imports.finally(() => (done = true));
  while (!done || zips.length === 0) {
    const result = await createArchive({ datasetsDir: root, archivesDir: join(base, 'archives'), names: ['default'], snapshot: (n) => store.snapshot(n) });
    zips.push(result.path);
  }
  await imports;
  const seen = new Set<number>();
  for (const zip of zips) {
    const files = await unzip(await readFile(zip));
    const manifest = JSON.parse(files.get('default/manifest.json') ?? '{}') as { counts: Record<string, number> };
    const positive = lineCount(files.get('default/positive.jsonl'));
    expect(manifest.counts.positive).toBe(positive);
    expect(positive % 1500).toBe(0); // whole imports only, never a part of one
    expect([...files.keys()].some((n) => n.includes('.hashes') || n.includes('journal'))).toBe(false);
    seen.add(positive);
  }
  expect(zips.length).toBeGreaterThan(0);
}, 60_000);
