/**
 * Named datasets under `<dataDir>/datasets/<name>/`: positive.jsonl and negative.jsonl (OpenAI chat
 * format), preference.jsonl (OpenAI DPO format) and manifest.json. Records are validated and
 * sanitized (records.ts) before they are appended crash-safely (jsonl.ts). Call `init()` once at
 * start: it repairs torn tails and fixes manifest counts. Manifests are written debounced; `flush()`
 * writes them now.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MentionNames } from '../conversation/sanitize.js';
import { UserError } from '../core/errors.js';
import { JsonlAppender } from './jsonl.js';
import { dataFile, RECORD_SOURCES } from './manifest.js';
import { ManifestBook } from './manifest-book.js';
import { sanitizeChatRecord, sanitizePreferenceRecord } from './records.js';
import {
  DATASET_NAME,
  DEFAULT_DATASET,
  type ChatRecord,
  type DatasetFile,
  type DatasetKind,
  type DatasetManifest,
  type PreferenceRecord,
  type RecordSource,
  type RepairReport,
} from './types.js';

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

const KINDS: ReadonlySet<string> = new Set<DatasetKind>(['positive', 'negative']);

export function checkDatasetName(name: unknown): string {
  if (typeof name !== 'string' || !DATASET_NAME.test(name)) {
    throw new UserError('InvalidDatasetName', 'Dataset names use letters, digits, - and _ (at most 64).');
  }
  return name;
}

function checkSource(source: RecordSource): void {
  if (!RECORD_SOURCES.includes(source)) throw new TypeError(`Unknown record source: ${String(source)}`);
}

export class DatasetStore {
  private readonly book: ManifestBook;
  private readonly appenders = new Map<string, JsonlAppender>();
  private readonly now: () => Date;

  constructor(private readonly opts: DatasetStoreOptions) {
    this.now = opts.now ?? (() => new Date());
    this.book = new ManifestBook({
      dir: (name) => this.dir(name),
      now: this.now,
      delayMs: opts.manifestDelayMs ?? 1000,
      durable: opts.durable ?? false,
      log: opts.log,
    });
  }

  /** Repairs every dataset, rebuilds wrong or missing manifests, makes sure the active dataset exists. */
  async init(): Promise<RepairReport[]> {
    await mkdir(this.opts.root, { recursive: true });
    const reports: RepairReport[] = [];
    for (const name of await this.names()) reports.push(...(await this.book.reconcile(name)));
    for (const r of reports) this.opts.log?.warn({ ...r }, 'dataset file had a torn last line; cut and kept aside');
    await this.ensure(this.activeName());
    return reports;
  }

  activeName(): string {
    const name = this.opts.active.get();
    return name !== undefined && DATASET_NAME.test(name) ? name : DEFAULT_DATASET;
  }

  async setActive(name: string): Promise<void> {
    checkDatasetName(name);
    if (!(await this.exists(name))) throw new UserError('DatasetNotFound', `There is no dataset named "${name}".`);
    await this.opts.active.set(name);
  }

  async list(): Promise<DatasetManifest[]> {
    const result: DatasetManifest[] = [];
    for (const name of await this.names()) result.push(await this.ensure(name));
    return result;
  }

  async exists(name: string): Promise<boolean> {
    if (typeof name !== 'string' || !DATASET_NAME.test(name)) return false;
    return (await stat(this.dir(name)).catch(() => undefined))?.isDirectory() ?? false;
  }

  /** Creates an empty dataset; throws UserError 'InvalidDatasetName' or 'DatasetExists'. */
  async create(name: string): Promise<DatasetManifest> {
    checkDatasetName(name);
    if (this.book.has(name) || (await this.exists(name))) {
      throw new UserError('DatasetExists', `The dataset "${name}" already exists.`);
    }
    return this.ensure(name);
  }

  /** The dataset's manifest, creating the dataset when it does not exist yet. */
  async ensure(name: string): Promise<DatasetManifest> {
    return this.book.get(checkDatasetName(name));
  }

  /** Throws UserError 'DatasetNotFound' when the dataset does not exist. */
  async manifest(name: string): Promise<DatasetManifest> {
    checkDatasetName(name);
    if (!this.book.has(name) && !(await this.exists(name))) {
      throw new UserError('DatasetNotFound', `There is no dataset named "${name}".`);
    }
    return this.ensure(name);
  }

  dir(name: string): string {
    return join(this.opts.root, checkDatasetName(name));
  }

  /** Appends one chat record (sanitized; returned as stored). Throws InvalidRecordError when refused. */
  async append(kind: DatasetKind, record: ChatRecord, source: RecordSource, dataset?: string): Promise<ChatRecord> {
    const [clean] = await this.appendMany(kind, [record], source, dataset);
    return clean as ChatRecord;
  }

  /** All records are checked first: one bad record refuses the whole batch, nothing is written. */
  async appendMany(kind: DatasetKind, records: readonly ChatRecord[], source: RecordSource, dataset?: string): Promise<ChatRecord[]> {
    if (!KINDS.has(kind)) throw new TypeError(`Unknown dataset kind: ${String(kind)}`);
    const clean = records.map((r) => sanitizeChatRecord(r, this.opts.names));
    await this.write(kind, clean, source, dataset);
    return clean;
  }

  async appendPreference(record: PreferenceRecord, source: RecordSource, dataset?: string): Promise<PreferenceRecord> {
    const clean = sanitizePreferenceRecord(record, this.opts.names);
    await this.write('preference', [clean], source, dataset);
    return clean;
  }

  /** Waits for queued appends and writes changed manifests now. */
  async flush(): Promise<void> {
    await Promise.all([...this.appenders.values()].map((a) => a.flush().catch(() => undefined)));
    await this.book.flush();
  }

  /** flush() and close every file handle (the store can still be used afterwards). */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([...this.appenders.values()].map((a) => a.close()));
    this.appenders.clear();
  }

  private async write(file: DatasetFile, records: readonly unknown[], source: RecordSource, dataset?: string): Promise<void> {
    checkSource(source);
    if (records.length === 0) return;
    const name = dataset === undefined ? this.activeName() : checkDatasetName(dataset);
    await this.ensure(name);
    const appender = this.appender(name, file);
    await (records.length === 1 ? appender.append(records[0]) : appender.appendMany(records));
    this.book.count(name, file, source, records.length);
  }

  private appender(name: string, file: DatasetFile): JsonlAppender {
    const key = `${name}/${file}`;
    let appender = this.appenders.get(key);
    if (!appender) {
      appender = new JsonlAppender(dataFile(this.dir(name), file), {
        durable: this.opts.durable,
        now: this.now,
        onRepair: (path, bytesRemoved) => this.opts.log?.warn({ file: path, bytesRemoved }, 'torn JSONL tail repaired'),
      });
      this.appenders.set(key, appender);
    }
    return appender;
  }

  private async names(): Promise<string[]> {
    const entries = await readdir(this.opts.root, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && DATASET_NAME.test(e.name)).map((e) => e.name).sort();
  }
}
