import path from 'node:path';
import type { Logger } from 'pino';
import type { ChatMessage } from '../llm/port.js';
import type { CommitEntry, DatasetStore } from '../datasets/store.js';
import {
  type CandidateStore,
  toCorrected,
  toNegative,
  toPositive,
  toPreference,
  type Candidate,
  type Verdict,
} from '../datasets/candidates.js';
import { recordContext } from '../datasets/candidate-records.js';
import { JsonlAppender } from '../datasets/jsonl.js';
import type { RecordSource } from '../datasets/types.js';
import { toDatasetText } from '../conversation/sanitize.js';
import { UserError } from '../core/errors.js';
import { pendingCapturesOf, type PendingCaptures } from './pending-captures.js';

export type Rating = 'up' | 'down';

export interface CapturedReply {
  messageId: string;
  channelId: string;
  context: ChatMessage[];
  reply: string;
  /** Message ID behind each context turn (null for the system prompt). */
  contextIds?: (string | null)[];
  /** Every message the reply was split over, first included. */
  partIds?: string[];
  /** Reasoning kept for training (`conversation.reasoning.train`). */
  reasoning?: string;
}

/** `saved`: this vote decided the reply's records; `kept`: it was decided before, the vote went to feedback.jsonl. */
export type RateResult =
  | { outcome: 'saved'; dataset: string; kind: 'positive' | 'negative' }
  | { outcome: 'kept'; dataset: string; decided: Verdict['kind'] }
  | { outcome: 'unknown' };
export type CorrectResult =
  { outcome: 'saved'; dataset: string; afterDown: boolean } | { outcome: 'kept'; dataset: string; decided: Verdict['kind'] };
/** A decision on a reply, for the live history (a 👎 drops the reply, a correction replaces it). */
export interface Decision {
  channelId: string;
  messageId: string;
  verdict: Verdict;
}

/**
 * Turns feedback on the bot's replies into dataset records (rules in docs/DATA.md): every
 * conversational reply is a candidate; the FIRST decision on it writes its records (👍 → positive,
 * 👎 → negative, a correction → negative + corrected positive + preference in one commit; a
 * correction after a 👎 adds the positive and preference). Every later vote or correction is kept
 * in `<dataset>/feedback.jsonl` and the rater is told what decided. Free-text feedback goes there too.
 */
export class FeedbackService {
  private readonly feedbackFiles = new Map<string, JsonlAppender>();
  private readonly listeners: ((d: Decision) => void)[] = [];
  /** Shared by every FeedbackService over the same candidate store (see pending-captures.ts). */
  private readonly pending: PendingCaptures;

  constructor(
    private readonly datasets: DatasetStore,
    private readonly candidates: CandidateStore,
    private readonly log: Logger,
  ) {
    this.pending = pendingCapturesOf(candidates);
  }

  /**
   * A reply is being sent in a channel with its buttons and will be captured once the send is answered; users may
   * see it first. Call the returned function when the capture has ended (or will not happen).
   */
  beginCapture(channelId: string): () => void {
    return this.pending.begin(channelId);
  }

  /**
   * Waits (at most a few seconds) for the replies being captured in a channel, so a lookup of a message users may
   * have seen before Eos captured it finds it: at once when `messageId` is already a candidate or nothing is pending
   * there. Without `messageId` ("my last reply here") it waits for every capture pending in the channel.
   */
  async settle(channelId: string, messageId?: string): Promise<void> {
    if (this.pending.pendingIn(channelId) === 0) return;
    if (messageId !== undefined && this.isCandidate(messageId)) return;
    await this.pending.settle(channelId);
  }

  async capture(reply: CapturedReply): Promise<void> {
    try {
      await this.candidates.add({ ...reply, at: new Date().toISOString() });
    } catch (err) {
      this.log.warn({ err }, 'reply not captured');
    }
  }

  /** The most recent captured reply in a channel (for `!correct` without a reply reference). */
  latestIn(channelId: string): string | undefined {
    return this.candidates.latestIn(channelId);
  }

  /** Called after every decision that changes what the conversation should remember. */
  onDecision(listener: (d: Decision) => void): void {
    this.listeners.push(listener);
  }

  /**
   * How a bot message reads in the channel history (backfill after a restart): its text when it is
   * a conversational reply (its correction when corrected), null when it must stay out (rated 👎,
   * or a later part of a split reply whose first part carries the whole text), undefined when it is
   * no conversational reply at all (command replies, apologies, notes).
   */
  historyText(messageId: string): string | null | undefined {
    const c = this.candidates.get(messageId);
    if (!c) return undefined;
    if (c.messageId !== messageId || c.verdict?.kind === 'down') return null;
    return c.verdict?.kind === 'corrected' ? c.verdict.text : c.reply;
  }

  isCandidate(messageId: string): boolean {
    return this.candidates.get(messageId) !== undefined;
  }

  /** The channel (or DM) of a captured reply: feedback acts only where the reply was posted. */
  channelOf(messageId: string): string | undefined {
    return this.candidates.get(messageId)?.channelId;
  }

  async rate(messageId: string, rating: Rating): Promise<RateResult> {
    const c = this.candidates.get(messageId);
    if (!c) return { outcome: 'unknown' };
    if (c.verdict) return this.keep(c, { vote: rating });
    const verdict: Verdict = { kind: rating };
    const kind = rating === 'up' ? 'positive' : 'negative';
    const record = rating === 'up' ? toPositive(c, this.verdictOf) : toNegative(c, this.verdictOf);
    const dataset = await this.decide(c, verdict, [{ kind, record }], 'feedback');
    return { outcome: 'saved', dataset, kind };
  }

  async correct(messageId: string, better: string): Promise<CorrectResult> {
    const text = better.trim();
    if (!text) throw new UserError('EmptyCorrection', 'Give the better answer after the command.');
    const c = this.candidates.get(messageId);
    if (!c) throw unknownReply();
    if (c.reply.trim() === text) throw new UserError('SameAnswer', 'That is the same as my reply: nothing to correct.');
    if (c.verdict && c.verdict.kind !== 'down') return this.keep(c, { vote: 'correction', correction: text });
    const afterDown = c.verdict?.kind === 'down';
    const entries: CommitEntry[] = [
      ...(afterDown ? [] : [{ kind: 'negative' as const, record: toNegative(c, this.verdictOf) }]),
      { kind: 'positive', record: toCorrected(c, text, this.verdictOf) },
      { kind: 'preference', record: toPreference(c, text, this.verdictOf) },
    ];
    const dataset = await this.decide(c, { kind: 'corrected', text }, entries, 'correction');
    return { outcome: 'saved', dataset, afterDown };
  }

  async feedback(messageId: string | null, text: string): Promise<{ dataset: string; linked: boolean }> {
    const clean = toDatasetText(text).trim();
    if (!clean) throw new UserError('EmptyFeedback', 'Write your feedback after the command.');
    const c = messageId ? this.candidates.get(messageId) : undefined;
    const dataset = this.datasets.activeName();
    await this.datasets.ensure(dataset);
    const line = {
      at: new Date().toISOString(),
      feedback: clean,
      ...(c ? { context: recordContext(c, this.verdictOf, false), reply: c.reply } : {}),
    };
    await this.feedbackFile(dataset).append(line);
    return { dataset, linked: Boolean(c) };
  }

  private readonly verdictOf = (id: string): Verdict | undefined => this.candidates.verdictOf(id);

  /**
   * Claims the decision (synchronously, so concurrent raters cannot both decide), writes all the
   * records in one commit, then journals the verdict. On failure nothing is written and the
   * candidate is left as it was.
   */
  private async decide(c: Candidate, verdict: Verdict, entries: CommitEntry[], source: RecordSource): Promise<string> {
    const claim = this.candidates.claim(c.messageId, verdict);
    if (!claim || (claim.prior && claim.prior.kind !== 'down')) {
      if (claim) this.candidates.revert(c.messageId, claim.prior);
      throw new UserError('AlreadyRated', 'Someone rated this reply at the same moment; try again.');
    }
    try {
      const result = await this.datasets.commit(entries, source);
      // The live history follows as soon as the records exist (before the journal line).
      for (const listener of this.listeners) listener({ channelId: c.channelId, messageId: c.messageId, verdict });
      await this.candidates.persist(c.messageId);
      return result.dataset;
    } catch (err) {
      this.candidates.revert(c.messageId, claim.prior);
      throw err;
    }
  }

  /** A vote or correction on a reply that was already decided: kept in feedback.jsonl. */
  private async keep(
    c: Candidate,
    vote: { vote: Rating | 'correction'; correction?: string },
  ): Promise<{ outcome: 'kept'; dataset: string; decided: Verdict['kind'] }> {
    const decided = c.verdict!.kind;
    const dataset = this.datasets.activeName();
    await this.datasets.ensure(dataset);
    const correction = vote.correction === undefined ? {} : { correction: toDatasetText(vote.correction) };
    await this.feedbackFile(dataset).append({ at: new Date().toISOString(), vote: vote.vote, ...correction, decided, reply: c.reply });
    return { outcome: 'kept', dataset, decided };
  }

  async close(): Promise<void> {
    await Promise.all([...this.feedbackFiles.values()].map((f) => f.close()));
    await this.candidates.close();
  }

  private feedbackFile(dataset: string): JsonlAppender {
    let f = this.feedbackFiles.get(dataset);
    if (!f) {
      f = new JsonlAppender(path.join(this.datasets.dir(dataset), 'feedback.jsonl'));
      this.feedbackFiles.set(dataset, f);
    }
    return f;
  }
}

function unknownReply(): UserError {
  return new UserError(
    'UnknownReply',
    "That isn't one of my recent conversation replies, so it can't be corrected (command replies and notices never can; very old replies are forgotten).",
  );
}

const DECIDED: Record<Verdict['kind'], string> = {
  up: 'rated 👍 (a positive example)',
  down: 'rated 👎 (a negative example)',
  corrected: 'corrected',
};
const VOTE: Record<Rating | 'correction', string> = { up: 'your 👍', down: 'your 👎', correction: 'your correction' };

/** What a rater is told when an earlier decision stands: "This reply was already rated 👍 (…); your 👎 is kept as feedback." */
export function keptMessage(decided: Verdict['kind'], vote: Rating | 'correction'): string {
  return `This reply was already ${DECIDED[decided]}; ${VOTE[vote]} is kept as feedback.`;
}

/** The answer to a correction (command, or the context menu's modal). */
export function correctionReply(r: CorrectResult): string {
  if (r.outcome === 'kept') return keptMessage(r.decided, 'correction');
  return r.afterDown
    ? `Correction saved in **${r.dataset}**: yours went to positive, plus a preference pair (the old reply was already a negative example).`
    : `Correction saved in **${r.dataset}**: the old reply went to negative, yours to positive, plus a preference pair.`;
}
