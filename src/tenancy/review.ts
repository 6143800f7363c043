import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommitEntry, DatasetStore } from '../datasets/store.js';
import type { DatasetFile, RecordSource } from '../datasets/types.js';
import { PROVENANCE_FILE, recordHash, type Provenance } from './members.js';

const FILES: readonly DatasetFile[] = ['positive', 'negative', 'preference'];

export interface PendingItem {
  /** 1-based number shown by `!review`. */
  n: number;
  dataset: string;
  file: DatasetFile;
  record: unknown;
  line: string;
  provenance?: Provenance;
}

/** The pending contributions of one server, oldest first, numbered across its datasets. */
export async function pendingItems(pending: DatasetStore): Promise<PendingItem[]> {
  const items: PendingItem[] = [];
  for (const m of await pending.list()) {
    const dir = pending.dir(m.name);
    const prov = new Map<string, Provenance>();
    for (const l of (await readFile(path.join(dir, PROVENANCE_FILE), 'utf8').catch(() => '')).split('\n')) {
      try {
        const p = JSON.parse(l) as Provenance;
        if (typeof p.h === 'string') prov.set(p.h, p);
      } catch {
        // blank or torn line
      }
    }
    for (const file of FILES) {
      for (const line of (await readFile(path.join(dir, `${file}.jsonl`), 'utf8').catch(() => '')).split('\n')) {
        if (!line.trim()) continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          continue;
        }
        items.push({ n: items.length + 1, dataset: m.name, file, record, line, provenance: prov.get(recordHash(record)) });
      }
    }
  }
  return items;
}

/** Removes the given lines from their pending files (in place) and rebuilds the pending manifests. */
async function drop(pending: DatasetStore, items: readonly PendingItem[]): Promise<void> {
  const byFile = new Map<string, Set<string>>();
  for (const it of items) {
    const f = path.join(pending.dir(it.dataset), `${it.file}.jsonl`);
    byFile.set(f, (byFile.get(f) ?? new Set()).add(it.line));
  }
  await pending.flush();
  for (const [file, lines] of byFile) {
    const fh = await open(file, 'r+');
    try {
      const kept = (await fh.readFile('utf8')).split('\n').filter((l) => l.trim() && !lines.has(l));
      const out = Buffer.from(kept.length ? `${kept.join('\n')}\n` : '');
      await fh.write(out, 0, out.length, 0);
      await fh.truncate(out.length);
    } finally {
      await fh.close();
    }
  }
  await pending.init();
}

/** Approve: the records are committed to the server's datasets (same dataset name), then leave the queue. */
export async function approve(real: DatasetStore, pending: DatasetStore, items: readonly PendingItem[]): Promise<number> {
  const byDataset = new Map<string, PendingItem[]>();
  for (const it of items) byDataset.set(it.dataset, [...(byDataset.get(it.dataset) ?? []), it]);
  let written = 0;
  for (const [dataset, list] of byDataset) {
    await real.ensure(dataset);
    const bySource = new Map<RecordSource, CommitEntry[]>();
    for (const it of list) {
      const source = it.provenance?.source ?? 'train';
      bySource.set(source, [...(bySource.get(source) ?? []), { kind: it.file, record: it.record } as CommitEntry]);
    }
    for (const [source, entries] of bySource) written += (await real.commit(entries, source, { dataset })).records.length;
  }
  await drop(pending, items);
  return written;
}

export async function reject(pending: DatasetStore, items: readonly PendingItem[]): Promise<void> {
  await drop(pending, items);
}

/** "1,3-5", "all" → the chosen items; unknown numbers are reported. */
export function choose(items: readonly PendingItem[], spec: string): { chosen: PendingItem[]; unknown: string[] } {
  if (spec.trim().toLowerCase() === 'all') return { chosen: [...items], unknown: [] };
  const wanted = new Set<number>();
  const unknown: string[] = [];
  for (const part of spec.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) {
      unknown.push(part);
      continue;
    }
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    for (let n = from; n <= Math.min(to, from + 1000); n++) wanted.add(n);
  }
  const chosen = items.filter((it) => wanted.has(it.n));
  for (const n of wanted) if (!items.some((it) => it.n === n)) unknown.push(String(n));
  return { chosen, unknown };
}
