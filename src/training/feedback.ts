import path from 'node:path';
import type { Logger } from 'pino';
import type { ChatMessage } from '../llm/port.js';
import type { DatasetStore } from '../datasets/store.js';
import { CandidateStore, toCorrected, toNegative, toPositive, toPreference, type Candidate } from '../datasets/candidates.js';
import { JsonlAppender } from '../datasets/jsonl.js';
import { toDatasetText } from '../conversation/sanitize.js';
import { UserError } from '../core/errors.js';

export type Rating = 'up' | 'down';

export interface CapturedReply {
  messageId: string;
  channelId: string;
  context: ChatMessage[];
  reply: string;
}

/**
 * Turns feedback on the bot's replies into dataset records: every reply is kept as a candidate;
 * 👍 moves it to positive, 👎 to negative, a correction stores the bad reply in negative, the
 * corrected conversation in positive and a preference pair. Free-text feedback goes to
 * `<dataset>/feedback.jsonl`.
 */
export class FeedbackService {
  private readonly lastReply = new Map<string, string>();
  private readonly feedbackFiles = new Map<string, JsonlAppender>();

  constructor(
    private readonly datasets: DatasetStore,
    private readonly candidates: CandidateStore,
    private readonly log: Logger,
  ) {}

  async capture(reply: CapturedReply): Promise<void> {
    try {
      await this.candidates.add({ ...reply, at: new Date().toISOString() });
      this.lastReply.set(reply.channelId, reply.messageId);
    } catch (err) {
      this.log.warn({ err }, 'reply not captured');
    }
  }

  /** The most recent captured reply in a channel (for `!correct` without a reply reference). */
  latestIn(channelId: string): string | undefined {
    return this.lastReply.get(channelId);
  }

  isCandidate(messageId: string): boolean {
    return this.candidates.get(messageId) !== undefined;
  }

  async rate(messageId: string, rating: Rating): Promise<{ dataset: string; kind: 'positive' | 'negative' } | null> {
    const c = await this.candidates.take(messageId);
    if (!c) return null;
    const kind = rating === 'up' ? 'positive' : 'negative';
    await this.datasets.append(kind, rating === 'up' ? toPositive(c) : toNegative(c), 'feedback');
    return { dataset: this.datasets.activeName(), kind };
  }

  async correct(messageId: string, better: string): Promise<{ dataset: string }> {
    const text = better.trim();
    if (!text) throw new UserError('EmptyCorrection', 'Give the better answer after the command.');
    const c = await this.candidates.take(messageId);
    if (!c) throw unknownReply();
    if (c.reply.trim() === text) {
      await this.restore(c);
      throw new UserError('SameAnswer', 'That is the same as my reply: nothing to correct.');
    }
    await this.datasets.append('negative', toNegative(c), 'correction');
    await this.datasets.append('positive', toCorrected(c, text), 'correction');
    await this.datasets.appendPreference(toPreference(c, text), 'correction');
    return { dataset: this.datasets.activeName() };
  }

  async feedback(messageId: string | null, text: string): Promise<{ dataset: string; linked: boolean }> {
    const clean = toDatasetText(text).trim();
    if (!clean) throw new UserError('EmptyFeedback', 'Write your feedback after the command.');
    const c = messageId ? this.candidates.get(messageId) : undefined;
    const dataset = this.datasets.activeName();
    await this.datasets.ensure(dataset);
    const line = { at: new Date().toISOString(), feedback: clean, ...(c ? { context: c.context, reply: c.reply } : {}) };
    await this.feedbackFile(dataset).append(line);
    return { dataset, linked: Boolean(c) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.feedbackFiles.values()].map((f) => f.close()));
    await this.candidates.close();
  }

  private async restore(c: Candidate): Promise<void> {
    await this.candidates.add(c).catch(() => undefined);
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
  return new UserError('UnknownReply', "I don't have that reply any more (only my recent replies can be rated or corrected).");
}
