/**
 * ResultStore: finished suites as JSON files in one folder (`<dataDir>/evaluations`), one file per run,
 * named by its start time (`2025-01-02T03-04-05-678Z.json`, a `-1`, `-2`, … suffix when two runs share
 * a millisecond). Files are written to a temporary name and hard-linked into place, so a reader never
 * sees half a file and a name is never overwritten. Unreadable or foreign files are skipped.
 */
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SuiteResult } from './types.js';

export interface StoredResult {
  file: string;
  result: SuiteResult;
}

const NAME = /^(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)(?:-(\d+))?\.json$/;

export class ResultStore {
  private readonly dir: string;

  constructor(opts: { dir: string }) {
    this.dir = opts.dir;
  }

  /** Writes the result and returns the file's path. */
  async save(result: SuiteResult): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const stem = fileStem(result.startedAt);
    const tmp = path.join(this.dir, `.${stem}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    await writeFile(tmp, `${JSON.stringify(result, null, 2)}\n`, 'utf8');
    try {
      for (let n = 0; ; n++) {
        const file = path.join(this.dir, n === 0 ? `${stem}.json` : `${stem}-${n}.json`);
        try {
          await link(tmp, file);
          return file;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /** Newest first, at most `limit` readable results. */
  async list(limit = 10): Promise<StoredResult[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const sorted = names
      .map((name) => ({ name, m: NAME.exec(name) }))
      .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => compareDesc(a.m, b.m));
    const out: StoredResult[] = [];
    for (const { name } of sorted) {
      if (out.length >= limit) break;
      const file = path.join(this.dir, name);
      const result = await readResult(file);
      if (result) out.push({ file, result });
    }
    return out;
  }

  async latest(): Promise<StoredResult | null> {
    return (await this.list(1))[0] ?? null;
  }

  /** The cases of the newest stored run that kept them (to run the last suite again), or null. */
  async lastSuite(scan = 20): Promise<SuiteResult['suite'] | null> {
    for (const { result } of await this.list(scan)) if (Array.isArray(result.suite) && result.suite.length > 0) return result.suite;
    return null;
  }
}

function fileStem(iso: string): string {
  const d = new Date(iso);
  const stamp = Number.isNaN(d.getTime()) ? new Date() : d;
  return stamp.toISOString().replace(/[:.]/g, '-');
}

function compareDesc(a: RegExpExecArray, b: RegExpExecArray): number {
  const byTime = (b[1] ?? '').localeCompare(a[1] ?? '');
  return byTime !== 0 ? byTime : Number(b[2] ?? 0) - Number(a[2] ?? 0);
}

async function readResult(file: string): Promise<SuiteResult | null> {
  try {
    const v: unknown = JSON.parse(await readFile(file, 'utf8'));
    const r = v as Partial<SuiteResult> | null;
    const ok = typeof r?.passed === 'number' && typeof r.total === 'number' && Array.isArray(r.cases);
    return ok ? (v as SuiteResult) : null;
  } catch {
    return null;
  }
}
