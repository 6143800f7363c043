import path from 'node:path';
import type { Logger } from 'pino';
import type { ChatSurface } from '../chat/types.js';
import type { MessageListener } from '../core/router.js';
import type { StateStore } from '../state/store.js';
import type { ConversationLog } from '../datasets/conversation-log.js';
import { AuditLog } from './audit.js';
import { ContributionIndex } from './contributions.js';
import { PrivacyService, type PrivacyDeps } from './consent.js';
import { keyedHasher, loadOrCreateSecret } from './secret.js';
import { guildDataFiles, WHOLE_BOT, type DataScope } from '../tenancy/layout.js';
import type { ShardControl } from '../shard/types.js';
import {
  applyPendingSharedForgets,
  applySharedForget,
  askShardZero,
  FORGET_SHARED_OP,
  parseSharedForget,
  type SharedFiles,
} from './shared-forget.js';

export interface PrivacyWiring {
  stateFile: string;
  dataDir: string;
  paths: { datasets: string; conversations: string };
  recordByDefault: boolean;
  consoleMode: boolean;
  state: StateStore;
  surface: ChatSurface;
  /** Conversation log (flushed before `!forget me` reads it). */
  transcript: ConversationLog;
  datasets: { init(): Promise<unknown>; flush(): Promise<unknown> };
  /** CandidateStore: `drop(messageId)` (or the older `take`) removes a remembered reply from memory. */
  candidates: { flush(): Promise<unknown>; purgeShared?(messageIds: ReadonlySet<string>): Promise<number> };
  log: Logger;
  /** A server's own datasets (see src/tenancy). */
  datasetsOf?: PrivacyDeps['datasetsOf'];
  /** What this process writes (sharded: its servers; shard 0 also DMs and the privacy key). Default: everything. */
  scope?: DataScope;
  /** Sharded: shard 0 answers other shards' `!forget me` on the shared files; the others ask it (src/privacy/shared-forget.ts). */
  shard?: { handle(op: `owner.${string}`, fn: (args: unknown) => unknown): void; control: Pick<ShardControl, 'ask'> };
}

/** Time a shard waits for shard 0 to make the privacy key on a first start. */
const KEY_WAIT_MS = 120_000;

/**
 * The process writing the pre-sharding shared files (shard 0, or the one unsharded process) answers other shards'
 * requests to remove forgotten entries there, and at its start applies those left pending (tombstones).
 */
function answerSharedForgets(w: PrivacyWiring, index: ContributionIndex, privacy: PrivacyService): void {
  // One at a time with this process's own `!forget me` (which rewrites the same shared files).
  const files: SharedFiles = {
    purgeCandidates: (ids) => privacy.exclusive(async () => (ids.size > 0 ? ((await w.candidates.purgeShared?.(ids)) ?? 0) : 0)),
    forgetIndexUsers: (keys) => privacy.exclusive(() => index.forgetShared(keys)),
  };
  w.shard?.handle(FORGET_SHARED_OP, (args) => applySharedForget(files, parseSharedForget(args), w.log));
  // In the background: the bot starts meanwhile (writes to these files are queued behind the rewrite).
  applyPendingSharedForgets(w.dataDir, files, w.log).catch((err: unknown) =>
    w.log.warn({ err }, 'could not apply pending removals to the shared pre-sharding files'),
  );
}

/** Voice messages reach the conversation as their transcript: index it under the speaker for `!forget me`. */
export function noteVoiceMessages(inner: MessageListener, privacy: PrivacyService): MessageListener {
  return {
    onMessage: (msg) => {
      if (msg.fromVoice && !msg.author.bot) privacy.noteSpoken(msg.guildId, msg.author.id, msg.cleanContent);
      return inner.onMessage(msg);
    },
  };
}

/**
 * Builds the privacy side (called once by startEos): the key in `state/privacy.key` (made by the process owning
 * DMs), the contribution index (a server's in `guilds/<id>/privacy/`, DMs' in `state/privacy/`), the audit log in
 * `audit/`, and the consent switch in front of the conversation log (nothing is appended where the server has not
 * turned recording on).
 */
export async function buildPrivacy(w: PrivacyWiring): Promise<{ privacy: PrivacyService; audit: AuditLog }> {
  const stateDir = path.dirname(w.stateFile);
  const scope = w.scope ?? WHOLE_BOT;
  const secret = await loadOrCreateSecret(path.join(stateDir, 'privacy.key'), { create: scope.ownsDms, waitMs: KEY_WAIT_MS });
  const hash = keyedHasher(secret);
  const dmCandidates = path.join(stateDir, 'candidates.jsonl');
  const index = new ContributionIndex(
    {
      dmFile: path.join(stateDir, 'privacy', 'contributions.jsonl'),
      guildFile: (g) => guildDataFiles(w.dataDir, g).contributions,
      guildsDir: path.join(w.dataDir, 'guilds'),
      ownsDms: scope.ownsDms,
      ownsGuild: (g) => scope.ownsGuild(g),
    },
    hash,
    { log: w.log },
  );
  await index.load();
  const audit = new AuditLog(path.join(w.dataDir, 'audit'), hash);
  const privacy = new PrivacyService({
    state: w.state,
    surface: w.surface,
    recordByDefault: w.recordByDefault,
    consoleMode: w.consoleMode,
    index,
    paths: { ...w.paths, candidates: dmCandidates },
    // A server's own journal; the pre-sharding shared one is rewritten only by the process owning it (DMs).
    candidateFiles: (g) => {
      const dm = scope.ownsDms ? { write: [dmCandidates], read: [] } : { write: [], read: [dmCandidates] };
      return g ? { write: [guildDataFiles(w.dataDir, g).candidates, ...dm.write], read: dm.read } : dm;
    },
    reconcileDatasets: () => w.datasets.init(),
    flushAll: () => Promise.all([w.datasets.flush(), w.candidates.flush(), w.transcript.flush()]),
    dropCandidate: async (id) => {
      const c = w.candidates as { drop?: (id: string) => Promise<unknown>; take?: (id: string) => Promise<unknown> };
      await (c.drop ?? c.take)?.call(c, id);
    },
    log: w.log,
    datasetsOf: w.datasetsOf,
    ...(w.shard && !scope.ownsDms ? { forgetShared: askShardZero(w.shard.control, w.log) } : {}),
  });
  if (scope.ownsDms) answerSharedForgets(w, index, privacy);
  const append = w.transcript.append.bind(w.transcript);
  w.transcript.append = async (entry) => (privacy.recording(entry.guildId) ? append(entry) : false);
  return { privacy, audit };
}
