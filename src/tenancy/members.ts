import { appendFile, mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DatasetStore, CommitEntry, CommitOptions, CommitResult } from '../datasets/store.js';
import type { FeedbackService } from '../training/feedback.js';
import type { RecordSource } from '../datasets/types.js';

/** Who contributed a pending record (no IDs: display name and keyed hash). */
export interface Provenance {
  /** sha256 of the record as stored (JSON), to find its line again. */
  h: string;
  who: string;
  whoKey: string;
  at: string;
  source: RecordSource;
}

export const PROVENANCE_FILE = 'provenance.jsonl';

export function recordHash(record: unknown): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 32);
}

/**
 * The datasets as a plain member sees them when the server reviews members' contributions: reads
 * (listings, files) are the server's datasets; writes (`!train`, corrections) go to the pending area
 * (guilds/<id>/pending/<dataset>/…) with their provenance, until an admin approves them (`!review`).
 */
export function memberDatasets(real: DatasetStore, pending: DatasetStore, who: { name: string; key: string }): DatasetStore {
  const commit = async (entries: readonly CommitEntry[], source: RecordSource, opts: CommitOptions = {}): Promise<CommitResult> => {
    const name = opts.dataset ?? real.activeName();
    await pending.ensure(name);
    const result = await pending.commit(entries, source, { ...opts, dataset: name });
    if (result.records.length > 0) {
      const at = new Date().toISOString();
      const lines = result.records.map((e) =>
        JSON.stringify({ h: recordHash(e.record), who: who.name, whoKey: who.key, at, source } satisfies Provenance),
      );
      const file = path.join(pending.dir(name), PROVENANCE_FILE);
      await mkdir(path.dirname(file), { recursive: true });
      await appendFile(file, `${lines.join('\n')}\n`);
    }
    return result;
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'commit') return commit;
      // The older one-kind helpers become one commit each, to the pending area too.
      if (prop === 'append') {
        return async (kind: 'positive' | 'negative', record: unknown, source: RecordSource, dataset?: string) =>
          (await commit([{ kind, record } as CommitEntry], source, { dataset })).records[0]?.record ?? record;
      }
      if (prop === 'appendMany') {
        return async (kind: 'positive' | 'negative', records: readonly unknown[], source: RecordSource, dataset?: string) =>
          (
            await commit(
              records.map((record) => ({ kind, record }) as CommitEntry),
              source,
              { dataset },
            )
          ).records.map((e) => e.record);
      }
      if (prop === 'appendPreference') {
        return async (record: unknown, source: RecordSource, dataset?: string) =>
          (await commit([{ kind: 'preference', record } as CommitEntry], source, { dataset })).records[0]?.record ?? record;
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A member's feedback: corrections go to the pending area (`correct` of `pending`), everything else as usual. */
export function memberFeedback(real: FeedbackService, pending: FeedbackService): FeedbackService {
  return new Proxy(real, {
    get(target, prop) {
      const from = prop === 'correct' ? pending : target;
      const value = Reflect.get(from, prop, from) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(from) : value;
    },
  });
}
