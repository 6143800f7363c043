/** FeedbackService decisions with a recording dataset store (the real CandidateStore, in memory). */
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { CandidateStore } from '../../../src/datasets/candidates.js';
import type { CommitEntry, DatasetStore } from '../../../src/datasets/store.js';
import { FeedbackService, type Decision } from '../../../src/training/feedback.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function world(opts: { failCommits?: number } = {}) {
  const commits: CommitEntry[][] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'eos-feedback-'));
  dirs.push(dir);
  let fail = opts.failCommits ?? 0;
  const store = {
    activeName: () => 'default',
    ensure: async () => ({}),
    dir: () => dir,
    async commit(entries: CommitEntry[]) {
      if (fail > 0) {
        fail--;
        throw new Error('disk full');
      }
      commits.push(entries);
      return { dataset: 'default', written: {}, duplicates: 0, records: entries };
    },
  } as unknown as DatasetStore;
  const candidates = new CandidateStore();
  const feedback = new FeedbackService(store, candidates, pino({ level: 'silent' }));
  const decisions: Decision[] = [];
  feedback.onDecision((d) => decisions.push(d));
  return { feedback, candidates, commits, decisions };
}

const reply = (id: string, text: string, parts?: string[]) => ({
  messageId: id,
  channelId: 'c1',
  reply: text,
  partIds: parts,
  context: [
    { role: 'system' as const, content: 'S' },
    { role: 'user' as const, content: 'Ali: q' },
  ],
  contextIds: [null, `u-${id}`],
});

describe('FeedbackService decisions', () => {
  test('two raters at the same moment: one decides, the other is kept as feedback', async () => {
    const { feedback, commits } = world();
    await feedback.capture(reply('r1', 'answer'));
    const [a, b] = await Promise.all([feedback.rate('r1', 'up'), feedback.rate('r1', 'down')]);
    expect(commits).toHaveLength(1);
    expect([a.outcome, b.outcome].sort()).toEqual(['kept', 'saved']);
  }, 10_000);

  test('a failed commit writes nothing and leaves the candidate undecided; a retry then works', async () => {
    const { feedback, candidates, commits, decisions } = world({ failCommits: 1 });
    await feedback.capture(reply('r1', 'bad'));
    await expect(feedback.correct('r1', 'good')).rejects.toThrow('disk full');
    expect(candidates.verdictOf('r1')).toBeUndefined();
    expect(decisions).toEqual([]);
    expect(await feedback.correct('r1', 'good')).toEqual({ outcome: 'saved', dataset: 'default', afterDown: false });
    expect(commits[0]!.map((e) => e.kind)).toEqual(['negative', 'positive', 'preference']);
    expect(decisions).toEqual([{ channelId: 'c1', messageId: 'r1', verdict: { kind: 'corrected', text: 'good' } }]);
  });

  test('historyText: the reply, its correction, nothing for a 👎, later parts or unknown messages', async () => {
    const { feedback } = world();
    await feedback.capture(reply('r1', 'one'));
    await feedback.capture(reply('r2', 'two', ['r2', 'r2b']));
    await feedback.capture(reply('r3', 'three'));
    await feedback.correct('r1', 'one fixed');
    await feedback.rate('r3', 'down');
    expect(feedback.historyText('r1')).toBe('one fixed');
    expect(feedback.historyText('r2')).toBe('two');
    expect(feedback.historyText('r2b')).toBeNull();
    expect(feedback.historyText('r3')).toBeNull();
    expect(feedback.historyText('command-reply')).toBeUndefined();
    expect(feedback.latestIn('c1')).toBe('r3');
    expect((await feedback.rate('r2b', 'up')).outcome).toBe('saved');
  });
});
