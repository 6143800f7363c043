import type { Logger } from 'pino';
import type { ChatSurface } from '../chat/types.js';
import type { OptOutLookup } from '../core/gate.js';
import type { StateStore } from '../state/store.js';
import type { ContributionIndex } from './contributions.js';
import { jsonlFiles, removeMatchingLines } from './forget.js';
import { toDatasetText } from '../conversation/sanitize.js';
import { UserError } from '../core/errors.js';
import type { SharedForget, SharedForgetOutcome } from './shared-forget.js';

export interface PrivacyDeps {
  state: StateStore;
  surface: ChatSurface;
  /** config `privacy.recordByDefault` */
  recordByDefault: boolean;
  /** The console's only user is the operator: it always records. */
  consoleMode: boolean;
  index: ContributionIndex;
  paths: { datasets: string; conversations: string; candidates: string };
  /**
   * The candidate journals `!forget me` in a server rewrites (`write`: its own; default `paths.candidates`) and
   * those it only reads to drop the matching replies from memory (`read`: the pre-sharding journal another process owns).
   */
  candidateFiles?: (guildId: string | null) => { write: string[]; read: string[] };
  /** Rebuilds dataset manifests after lines were removed (DatasetStore.init). */
  reconcileDatasets: () => Promise<unknown>;
  flushAll: () => Promise<unknown>;
  /** A server's own datasets (tenancy); without it every server uses `paths.datasets`. */
  datasetsOf?: (guildId: string | null) => { dirs: string[]; reconcile(): Promise<unknown>; flush(): Promise<unknown> };
  /**
   * Sharded, in a process not writing the pre-sharding shared files: asks the one writing them (shard 0) to remove a
   * forgotten user's entries there (src/privacy/shared-forget.ts).
   */
  forgetShared?: (req: SharedForget) => Promise<SharedForgetOutcome>;
  /** Drops a remembered candidate reply from memory. */
  dropCandidate: (messageId: string) => Promise<unknown>;
  log: Logger;
  now?: () => Date;
}

export const recordingNotice = (prefix: string) =>
  `📝 Heads-up: Eos now keeps a log of conversations in this server to improve its answers (training data). ` +
  `\`${prefix}privacy\` says what is kept; \`${prefix}optout\` stops it for you; \`${prefix}forget me\` removes what you wrote.`;

/**
 * Consent: whether a server records conversations (off until its admins turn it on, unless the
 * operator made it the default), who opted out, the one-time notice per channel, the private
 * contribution index and `!forget me`.
 */
export class PrivacyService implements OptOutLookup {
  private readonly noticing = new Set<string>();
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: PrivacyDeps) {}

  optedOut(userId: string): boolean {
    return this.deps.state.user(userId).optedOut === true;
  }

  /** Keyed hash naming a user in a server (for provenance and logs; no IDs). */
  whoKey(guildId: string | null, userId: string): string {
    return this.deps.index.userKey(guildId, userId);
  }

  async setOptedOut(userId: string, out: boolean): Promise<void> {
    await this.deps.state.setUser(userId, { optedOut: out ? true : undefined });
  }

  /** Conversation logs are written here (console: always; DMs: the config default; servers: their choice). */
  recording(guildId: string | null): boolean {
    if (this.deps.consoleMode) return true;
    if (!guildId) return this.deps.recordByDefault;
    return this.deps.state.guild(guildId).recording ?? this.deps.recordByDefault;
  }

  async setRecording(guildId: string, on: boolean): Promise<void> {
    const since = (this.deps.now ?? (() => new Date()))().toISOString();
    await this.deps.state.setGuild(guildId, { recording: on, recordingSince: on ? since : undefined });
  }

  /** Posts the recording notice once in each channel of a recording server (again after recording is turned back on). */
  async noticeIfNeeded(guildId: string | null, channelId: string, prefix: string): Promise<void> {
    if (!guildId || this.deps.consoleMode || !this.recording(guildId) || this.noticing.has(channelId)) return;
    const since = this.deps.state.guild(guildId).recordingSince ?? '';
    const at = this.deps.state.channel(channelId).recordingNoticeAt;
    if (at !== undefined && at >= since) return;
    this.noticing.add(channelId);
    try {
      await this.postNotice(channelId, prefix);
    } finally {
      this.noticing.delete(channelId);
    }
  }

  async postNotice(channelId: string, prefix: string): Promise<void> {
    const now = (this.deps.now ?? (() => new Date()))().toISOString();
    await this.deps.state.setChannel(channelId, { recordingNoticeAt: now });
    await this.deps.surface.send(channelId, { content: recordingNotice(prefix) }).catch((err: unknown) => {
      this.deps.log.warn({ err, channel: channelId }, 'recording notice not posted');
    });
  }

  /** Writes the contribution index's queued lines and closes its file (shutdown). */
  close(): Promise<void> {
    return this.deps.index.close();
  }

  /** Remembers (as keyed hashes only) what a user wrote, so `!forget me` can find it later. */
  noteContribution(guildId: string | null, userId: string, texts: readonly string[]): void {
    this.deps.index.note(guildId, userId, texts).catch((err: unknown) => this.deps.log.warn({ err }, 'contribution index append failed'));
  }

  /** Indexes records a user imports from files (`!train`), before they are written: `!forget me` removes them. */
  noteRecords(guildId: string | null, userId: string, records: readonly unknown[]): Promise<void> {
    return this.deps.index.noteRecords(guildId, userId, records);
  }

  /** What a user said in voice (a voice-channel turn or a voice message), as transcribed and as stored. */
  noteSpoken(guildId: string | null, userId: string, text: string): void {
    if (this.optedOut(userId)) return; // nothing of theirs is kept, not even hashes
    let stored = text;
    try {
      stored = toDatasetText(text);
    } catch {
      // the raw transcript is still indexed
    }
    this.noteContribution(guildId, userId, [text, stored]);
  }

  /**
   * Runs `fn` once every earlier `!forget me` (or removal from the shared files, src/privacy/shared-forget.ts) is
   * done: two rewrites of one file never interleave (one would put back what the other removed).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * `!forget me`: removes every record and log line holding something the user wrote in this server
   * (datasets, conversation logs, candidate replies, feedback), then forgets the index entries.
   */
  forget(guildId: string | null, userId: string): Promise<{ lines: number; files: number; shared?: SharedForgetOutcome }> {
    return this.exclusive(() => this.forgetNow(guildId, userId));
  }

  private async forgetNow(guildId: string | null, userId: string): Promise<{ lines: number; files: number; shared?: SharedForgetOutcome }> {
    const { index, paths } = this.deps;
    const keys = index.textsOf(guildId, userId);
    if (keys.size === 0) return { lines: 0, files: 0 };
    const sharedUser = index.sharedEntriesOf(guildId, userId);
    const own = this.deps.datasetsOf?.(guildId);
    const candidates = this.deps.candidateFiles?.(guildId) ?? { write: [paths.candidates], read: [] };
    await Promise.all([this.deps.flushAll(), index.flush()]);
    await own?.flush();
    const files = [
      ...(await Promise.all((own?.dirs ?? [paths.datasets]).map((d) => jsonlFiles(d)))).flat(),
      ...(await jsonlFiles(paths.conversations, `${guildId ?? 'dm'}_`)),
      ...candidates.write,
    ];
    const matches = (text: string) => keys.has(index.textKey(text));
    const matchesRecord = (record: unknown) => {
      const key = index.recordKey(record);
      return key !== null && keys.has(key);
    };
    const result = await removeMatchingLines(files, matches, matchesRecord);
    const elsewhere = await removeMatchingLines(candidates.read, matches, matchesRecord, { readOnly: true });
    for (const id of [...result.messageIds, ...elsewhere.messageIds]) await this.deps.dropCandidate(id).catch(() => undefined);
    await (own ? own.reconcile() : this.deps.reconcileDatasets());
    await index.drop(guildId, userId);
    this.deps.log.info({ files: result.files, lines: result.lines }, 'forgot a user');
    // What only the tombstones written above hide here leaves the shared files through their writer (shard 0).
    const hidden = [...new Set(elsewhere.messageIds)];
    const ask = this.deps.forgetShared;
    if (!ask || !guildId || (hidden.length === 0 && sharedUser === null)) return { lines: result.lines, files: result.files };
    const shared = await ask({ guildId, messageIds: hidden, userKeys: sharedUser === null ? [] : [sharedUser] });
    return { lines: result.lines, files: result.files, shared };
  }
}

/** The privacy service a command needs, or a short reply saying it is not available (e.g. a bare test setup). */
export function requirePrivacy(services: { readonly privacy?: PrivacyService }): PrivacyService {
  if (!services.privacy) throw new UserError('NoPrivacy', 'Privacy settings are not available here.');
  return services.privacy;
}
