/**
 * Named datasets under `<dataDir>/datasets/<name>/`: positive.jsonl and negative.jsonl (OpenAI chat
 * format), preference.jsonl (OpenAI DPO format) and manifest.json. Every write is a `commit`:
 * records are sanitized and validated first (records.ts, validate.ts), duplicates (content hash,
 * hash-index.ts) skipped, then the batch is written all or nothing (commit-journal.ts), one commit
 * per dataset at a time. Call `init()` once at start: it rolls back unfinished commits, repairs
 * torn tails and fixes manifest counts. Manifests are written debounced; `flush()` writes them now.
 * Names are compared without case (names.ts).
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MentionNames } from '../conversation/sanitize.js';
import { UserError } from '../core/errors.js';
import { fileSize } from './commit-journal.js';
import { CommitWriter } from './commit-writer.js';
import { ImportLedger } from './import-ledger.js';
import { dataFile, DATASET_FILES, RECORD_SOURCES } from './manifest.js';
import { ManifestBook } from './manifest-book.js';
import { checkDatasetName, isDatasetFolderName, sameName } from './names.js';
import { InvalidRecordError, sanitizeChatRecord, sanitizePreferenceRecord } from './records.js';
import {
  DEFAULT_DATASET,
  type ChatRecord,
  type DatasetFile,
  type DatasetKind,
  type DatasetManifest,
  type PreferenceRecord,
  type RecordSource,
  type RepairReport,
} from './types.js';

export { checkDatasetName } from './names.js';

export type CommitEntry = { kind: DatasetKind; record: ChatRecord } | { kind: 'preference'; record: PreferenceRecord };

export interface CommitOptions {
  /** Default: the active dataset. */
  dataset?: string;
  /** Skip records already stored (same file, same content). Default true. */
  dedupe?: boolean;
}

export interface CommitResult {
  dataset: string;
  /** Records written per file. */
  written: Record<DatasetFile, number>;
  /** Records skipped because they were already stored (or repeated in the batch). */
  duplicates: number;
  /** The entries as stored (sanitized), in order, duplicates included. */
  records: CommitEntry[];
}

/** What an archive needs for a consistent copy: the manifest and the file sizes it describes. */
export interface DatasetSnapshot {
  manifest: DatasetManifest;
  /** Bytes of each data file (positive.jsonl…) covered by the manifest. */
  sizes: Record<string, number>;
}

export interface ActiveDatasetRef {
  get(): string | undefined;
  set(name: string): Promise<void>;
}

export interface DatasetStoreOptions {
  /** `<dataDir>/datasets` */
  root: string;
  /** Backed by StateStore.training().activeDataset (see activeDatasetFromState). */
  active: ActiveDatasetRef;
  log?: Logger;
  now?: () => Date;
  /** fdatasync every append (default false: survives process crashes, not power loss). */
  durable?: boolean;
  /** Debounce of manifest writes after appends (default 1000 ms). */
  manifestDelayMs?: number;
  /** Resolvers for mentions still present in record texts (default: "@user", "@role", "#channel"). */
  names?: MentionNames;
}

function checkSource(source: RecordSource): void {
  if (!RECORD_SOURCES.includes(source)) throw new TypeError(`Unknown record source: ${String(source)}`);
}

export class DatasetStore {
  private readonly book: ManifestBook;
  private readonly writer: CommitWriter;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly now: () => Date;
  private closing = false;
  /** `!train` imports in flight (told to the user after a restart that cut one short). */
  readonly imports: ImportLedger;

  constructor(private readonly opts: DatasetStoreOptions) {
    this.now = opts.now ?? (() => new Date());
    this.imports = new ImportLedger(opts.root);
    this.writer = new CommitWriter({
      dir: (name) => this.dir(name),
      records: async (name) => {
        const { counts } = await this.book.get(name);
        return counts.positive + counts.negative + counts.preference;
      },
      durable: opts.durable ?? false,
      now: this.now,
      log: opts.log,
    });
    this.book = new ManifestBook({
      dir: (name) => this.dir(name),
      now: this.now,
      delayMs: opts.manifestDelayMs ?? 1000,
      durable: opts.durable ?? false,
      log: opts.log,
    });
  }

  /** Rolls back unfinished commits, repairs every dataset, rebuilds wrong manifests, makes sure the active dataset exists. */
  async init(): Promise<RepairReport[]> {
    await mkdir(this.opts.root, { recursive: true });
    this.closing = false;
    const reports: RepairReport[] = [];
    for (const name of await this.names()) reports.push(...(await this.book.reconcile(name)));
    for (const r of reports) this.opts.log?.warn({ ...r }, 'dataset file had a torn last line; cut and kept aside');
    await this.ensure(this.activeName()).catch(async (err: unknown) => {
      // An active name saved before names were checked (e.g. "CON"): start anyway, on the default dataset.
      this.opts.log?.warn({ err, active: this.activeName() }, 'the active dataset name is not usable; using the default');
      await this.opts.active.set(DEFAULT_DATASET);
      await this.ensure(DEFAULT_DATASET);
    });
    return reports;
  }

  activeName(): string {
    const name = this.opts.active.get();
    return name !== undefined && isDatasetFolderName(name) ? name : DEFAULT_DATASET;
  }

  async setActive(name: string): Promise<void> {
    const found = await this.find(name);
    if (found === undefined) throw new UserError('DatasetNotFound', `There is no dataset named "${String(name).slice(0, 64)}".`);
    await this.opts.active.set(found);
  }

  async list(): Promise<DatasetManifest[]> {
    const result: DatasetManifest[] = [];
    for (const name of await this.names()) result.push(await this.book.get(name));
    return result;
  }

  /** The stored name of a dataset, compared without case; undefined when there is none. */
  async find(name: string): Promise<string | undefined> {
    if (typeof name !== 'string' || !isDatasetFolderName(name)) return undefined;
    if (this.book.has(name)) return name;
    const found = sameName(await this.names(), name);
    return (await this.isDir(found)) ? found : undefined;
  }

  async exists(name: string): Promise<boolean> {
    return (await this.find(name)) !== undefined;
  }

  /** Creates an empty dataset; throws UserError 'InvalidDatasetName', 'ReservedDatasetName' or 'DatasetExists'. */
  async create(name: string): Promise<DatasetManifest> {
    checkDatasetName(name);
    const found = await this.find(name);
    if (found !== undefined) throw new UserError('DatasetExists', `The dataset "${found}" already exists.`);
    return this.book.get(name);
  }

  /** The dataset's manifest, creating the dataset when it does not exist yet (a name differing only in case is the same dataset). */
  async ensure(name: string): Promise<DatasetManifest> {
    return this.book.get(await this.resolve(name));
  }

  /** Throws UserError 'DatasetNotFound' when the dataset does not exist. */
  async manifest(name: string): Promise<DatasetManifest> {
    const found = await this.find(name);
    if (found === undefined) throw new UserError('DatasetNotFound', `There is no dataset named "${String(name).slice(0, 64)}".`);
    return this.book.get(found);
  }

  dir(name: string): string {
    if (typeof name !== 'string' || !isDatasetFolderName(name)) checkDatasetName(name);
    return join(this.opts.root, name);
  }

  /** Appends one chat record (sanitized; returned as stored). Throws InvalidRecordError when refused. */
  async append(kind: DatasetKind, record: ChatRecord, source: RecordSource, dataset?: string): Promise<ChatRecord> {
    const [clean] = await this.appendMany(kind, [record], source, dataset);
    return clean as ChatRecord;
  }

  /** All records are checked first: one bad record refuses the whole batch, nothing is written. */
  async appendMany(kind: DatasetKind, records: readonly ChatRecord[], source: RecordSource, dataset?: string): Promise<ChatRecord[]> {
    if (kind !== 'positive' && kind !== 'negative') throw new TypeError(`Unknown dataset kind: ${String(kind)}`);
    const result = await this.commit(records.map((record) => ({ kind, record })), source, { dataset });
    return result.records.map((e) => e.record as ChatRecord);
  }

  async appendPreference(record: PreferenceRecord, source: RecordSource, dataset?: string): Promise<PreferenceRecord> {
    const result = await this.commit([{ kind: 'preference', record }], source, { dataset });
    return result.records[0]?.record as PreferenceRecord;
  }

  /** Sanitizes and validates one entry as `commit` would; throws InvalidRecordError. */
  prepare(entry: CommitEntry): CommitEntry {
    if (entry.kind === 'preference') return { kind: 'preference', record: sanitizePreferenceRecord(entry.record, this.opts.names) };
    if (entry.kind !== 'positive' && entry.kind !== 'negative') throw new TypeError(`Unknown dataset kind: ${String(entry.kind)}`);
    return { kind: entry.kind, record: sanitizeChatRecord(entry.record, this.opts.names) };
  }

  /**
   * Writes the entries as one unit: every entry is sanitized and validated first (InvalidRecordError
   * with `index`: nothing written), records already stored are skipped (dedupe), then all remaining
   * records are written or none (an error rolls back at once, a crash at the next start).
   */
  async commit(entries: readonly CommitEntry[], source: RecordSource, opts: CommitOptions = {}): Promise<CommitResult> {
    checkSource(source);
    const clean = entries.map((entry, index) => {
      try {
        return this.prepare(entry);
      } catch (err) {
        if (err instanceof InvalidRecordError) throw new InvalidRecordError(`record ${index + 1}: ${err.detail}`, err.problems, index);
        throw err;
      }
    });
    if (this.closing) throw new UserError('ShuttingDown', 'Eos is shutting down, so nothing was saved. Try again in a minute.');
    const name = await this.resolve(opts.dataset ?? this.activeName());
    await this.book.get(name);
    return this.locked(name, async () => {
      const { written, duplicates } = await this.writer.write(name, clean, opts.dedupe ?? true);
      for (const file of DATASET_FILES) if (written[file] > 0) this.book.count(name, file, source, written[file]);
      return { dataset: name, written, duplicates, records: clean };
    });
  }

  /** The manifest and the data file sizes it describes, taken between commits (for archives). */
  async snapshot(name: string): Promise<DatasetSnapshot> {
    const found = await this.find(name);
    if (found === undefined) throw new UserError('DatasetNotFound', `There is no dataset named "${String(name).slice(0, 64)}".`);
    return this.locked(found, async () => {
      const manifest = await this.book.get(found);
      const sizes: Record<string, number> = {};
      for (const file of DATASET_FILES) sizes[`${file}.jsonl`] = await fileSize(dataFile(this.dir(found), file));
      return { manifest, sizes };
    });
  }

  /** Waits for queued commits and writes changed manifests now. */
  async flush(): Promise<void> {
    await Promise.all([...this.locks.values()].map((l) => l.catch(() => undefined)));
    await this.writer.flush();
    await this.book.flush();
  }

  /** Refuses new commits (UserError 'ShuttingDown'), lets queued ones finish, flushes, closes every file (until `init()`). */
  async close(): Promise<void> {
    this.closing = true;
    await this.flush();
    await this.writer.close();
    await this.imports.close();
  }

  /** True once close() began: commits are refused. */
  get isClosing(): boolean {
    return this.closing;
  }

  private async resolve(name: string): Promise<string> {
    return (await this.find(name)) ?? checkDatasetName(name);
  }

  private async isDir(name: string): Promise<boolean> {
    return (await stat(join(this.opts.root, name)).catch(() => undefined))?.isDirectory() ?? false;
  }

  private locked<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(task);
    const tail = run.catch(() => undefined);
    this.locks.set(name, tail);
    void tail.then(() => {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    });
    return run;
  }

  private async names(): Promise<string[]> {
    const entries = await readdir(this.opts.root, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && isDatasetFolderName(e.name)).map((e) => e.name).sort();
  }
}
