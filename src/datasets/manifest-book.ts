/**
 * In-memory manifests of a DatasetStore: loaded (and reconciled) once per dataset, counted after
 * every acknowledged append, written back debounced (or at `flush()`), one write at a time.
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { reconcileDataset, writeManifest } from './manifest.js';
import type { DatasetFile, DatasetManifest, RecordSource, RepairReport } from './types.js';

export interface ManifestBookOptions {
  dir: (name: string) => string;
  now: () => Date;
  delayMs: number;
  durable: boolean;
  log?: Logger;
}

const clone = (m: DatasetManifest): DatasetManifest => structuredClone(m);

export class ManifestBook {
  private readonly manifests = new Map<string, DatasetManifest>();
  private readonly loading = new Map<string, Promise<DatasetManifest>>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ManifestBookOptions) {}

  has(name: string): boolean {
    return this.manifests.has(name);
  }

  /** Repairs and reconciles a dataset folder now (used by init); returns what was repaired. */
  async reconcile(name: string): Promise<RepairReport[]> {
    const { manifest, repairs, rebuilt } = await reconcileDataset(this.opts.dir(name), name, this.opts.now);
    this.manifests.set(name, manifest);
    if (rebuilt) this.opts.log?.info({ dataset: name, counts: manifest.counts }, 'dataset manifest rebuilt');
    return repairs;
  }

  /** The manifest (a copy); the folder and manifest are created or reconciled on first use. */
  async get(name: string): Promise<DatasetManifest> {
    const cached = this.manifests.get(name);
    if (cached) return clone(cached);
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.load(name).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return clone(await pending);
  }

  count(name: string, file: DatasetFile, source: RecordSource, n: number): void {
    const manifest = this.manifests.get(name);
    if (!manifest) return;
    manifest.counts[file] += n;
    manifest.sources[source] = (manifest.sources[source] ?? 0) + n;
    manifest.updated = this.opts.now().toISOString();
    this.dirty.add(name);
    this.timer ??= setTimeout(() => void this.flush(), this.opts.delayMs);
    this.timer.unref();
  }

  /** Writes every changed manifest (atomically); resolves when written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const names = [...this.dirty];
    this.dirty.clear();
    this.writes = this.writes.then(async () => {
      for (const name of names) await this.writeOne(name);
    });
    return this.writes;
  }

  private async writeOne(name: string): Promise<void> {
    const manifest = this.manifests.get(name);
    if (!manifest) return;
    try {
      await writeManifest(this.opts.dir(name), clone(manifest), this.opts.durable);
    } catch (err) {
      this.dirty.add(name);
      this.opts.log?.error({ err, dataset: name }, 'could not write the dataset manifest');
    }
  }

  private async load(name: string): Promise<DatasetManifest> {
    await mkdir(this.opts.dir(name), { recursive: true });
    const repairs = await this.reconcile(name);
    for (const r of repairs) this.opts.log?.warn({ ...r }, 'dataset file had a torn last line; cut and kept aside');
    return this.manifests.get(name) as DatasetManifest;
  }
}
