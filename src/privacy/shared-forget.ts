/**
 * `!forget me` and the pre-sharding shared files (issue 13). Before sharding every server's recent replies and
 * `!forget me` index lived in `state/candidates.jsonl` and `state/privacy/contributions.jsonl`; under sharding only
 * shard 0 writes them. A shard forgetting a user in its server hides their old entries at once (tombstones in the
 * server's own files: a `take` line per reply in `guilds/<G>/candidates.jsonl`, a `forgot` line in its index) and
 * asks shard 0 to remove those entries from the shared files. If shard 0 does not answer in time, the tombstones are
 * the durable request: shard 0 applies every server's tombstones to the shared files at its next start.
 * Requests carry message IDs and keyed user hashes only (no user ID, no text).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ShardControl } from '../shard/types.js';
import { guildDataFiles } from '../tenancy/layout.js';

export const FORGET_SHARED_OP = 'owner.privacy.forgetShared';
/** Time the forgetting shard waits for shard 0 before telling the user the removal is pending. */
export const FORGET_SHARED_TIMEOUT_MS = 10_000;

export interface SharedForget {
  guildId: string;
  /** Candidates (first message IDs) to remove from the shared candidate journal. */
  messageIds: string[];
  /** Keyed hashes of (server, user) whose entries leave the shared index. */
  userKeys: string[];
}

/** How the forgetting shard's request ended: shard 0 removed the entries, or it will at its next start. */
export type SharedForgetOutcome = 'removed' | 'pending';

/** The shared files, as the process writing them (shard 0, or the one unsharded process) changes them. */
export interface SharedFiles {
  purgeCandidates(messageIds: ReadonlySet<string>): Promise<number>;
  forgetIndexUsers(userKeys: readonly string[]): Promise<number>;
}

const GUILD_ID = /^\d{15,25}$/;
const ID = /^[^\n]{1,100}$/;
const MAX_ITEMS = 100_000;

function ids(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length > MAX_ITEMS || !v.every((x) => typeof x === 'string' && ID.test(x)))
    throw new TypeError(`invalid ${what}`);
  return v as string[];
}

/** Checks a request received over the sharding IPC (another shard's, but still checked). */
export function parseSharedForget(args: unknown): SharedForget {
  const a = args as Partial<SharedForget> | null;
  if (typeof a?.guildId !== 'string' || !GUILD_ID.test(a.guildId)) throw new TypeError('invalid guildId');
  return { guildId: a.guildId, messageIds: ids(a.messageIds, 'messageIds'), userKeys: ids(a.userKeys, 'userKeys') };
}

/** Shard 0's answer: the request's entries leave the shared files. */
export async function applySharedForget(
  files: SharedFiles,
  req: SharedForget,
  log: Logger,
): Promise<{ candidateLines: number; indexLines: number }> {
  const candidateLines = await files.purgeCandidates(new Set(req.messageIds));
  const indexLines = await files.forgetIndexUsers(req.userKeys);
  log.info({ guild: req.guildId, candidateLines, indexLines }, 'removed forgotten entries from the shared pre-sharding files');
  return { candidateLines, indexLines };
}

/** Every server's tombstones: replies taken from its candidate journal, users forgotten in its index. */
export async function pendingSharedForgets(dataDir: string): Promise<{ messageIds: Set<string>; userKeys: Set<string> }> {
  const messageIds = new Set<string>();
  const userKeys = new Set<string>();
  const guilds = (await readdir(path.join(dataDir, 'guilds')).catch(() => [] as string[])).filter((g) => GUILD_ID.test(g));
  for (const g of guilds) {
    const files = guildDataFiles(dataDir, g);
    for (const line of await linesWith(files.candidates, '"take"')) {
      const id = (line as { op?: unknown; messageId?: unknown }).messageId;
      if ((line as { op?: unknown }).op === 'take' && typeof id === 'string') messageIds.add(id);
    }
    for (const line of await linesWith(files.contributions, '"forgot"')) {
      const u = (line as { u?: unknown; forgot?: unknown }).u;
      if ((line as { forgot?: unknown }).forgot === 1 && typeof u === 'string') userKeys.add(u);
    }
  }
  return { messageIds, userKeys };
}

/** Parsed lines of a JSONL file that contain `needle` (torn lines skipped; a missing file has none). */
async function linesWith(file: string, needle: string): Promise<object[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const out: object[] = [];
  // Only the lines around a match are cut out (a server's journal holds thousands of lines, few of them tombstones).
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const start = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at);
    const line = text.slice(start, end === -1 ? text.length : end);
    at = end === -1 ? text.length : end; // the next match is on a later line
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object') out.push(v);
    } catch {
      // torn line
    }
  }
  return out;
}

/** At shard 0's start: applies the tombstones other shards wrote while it did not answer (or was not running). */
export async function applyPendingSharedForgets(
  dataDir: string,
  files: SharedFiles,
  log: Logger,
): Promise<{ candidateLines: number; indexLines: number }> {
  const { messageIds, userKeys } = await pendingSharedForgets(dataDir);
  const candidateLines = await files.purgeCandidates(messageIds);
  const indexLines = await files.forgetIndexUsers([...userKeys]);
  if (candidateLines + indexLines > 0)
    log.info({ candidateLines, indexLines }, 'applied pending removals to the shared pre-sharding files');
  return { candidateLines, indexLines };
}

/** The forgetting shard's side: asks shard 0 (through the manager) and reports whether it removed the entries. */
export function askShardZero(control: Pick<ShardControl, 'ask'>, log: Logger, timeoutMs = FORGET_SHARED_TIMEOUT_MS) {
  return async (req: SharedForget): Promise<SharedForgetOutcome> => {
    const answers = await control
      .ask(FORGET_SHARED_OP, req, timeoutMs)
      .catch((err: unknown) => [{ shard: 0, ok: false as const, error: err instanceof Error ? err.message : String(err) }]);
    const zero = answers.find((a) => a.shard === 0);
    if (zero?.ok) return 'removed';
    log.warn(
      { guild: req.guildId, error: zero?.error ?? 'shard 0 is not run by this host' },
      'shared-file removal left pending until shard 0 starts',
    );
    return 'pending';
  };
}
