import { OPENAI_SPEC_PATH } from '../../llm-server/contract.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadSpec, validateSchema } from '../../contracts/openapi.js';
import { CandidateStore, toCorrected, toNegative, toPositive, toPreference, type Candidate, type Verdict } from '../../../src/datasets/candidates.js';
import { sanitizeChatRecord, sanitizePreferenceRecord } from '../../../src/datasets/records.js';
import { onCleanup, tempDir } from './helpers.js';

const SPEC = OPENAI_SPEC_PATH;

function candidate(id: string, reply = `reply ${id}`): Candidate {
  return {
    messageId: id,
    channelId: '42',
    context: [
      { role: 'system', content: 'You are Eos.' },
      { role: 'user', content: 'hi <@123456789012345678>', name: 'Alice' },
    ],
    reply,
    at: '2030-01-01T00:00:00.000Z',
  };
}

async function makeStore(max?: number) {
  const file = join(await tempDir(), 'state', 'candidates.jsonl');
  const open = () => {
    const s = new CandidateStore({ file, max });
    onCleanup(() => s.close());
    return s;
  };
  return { file, open };
}

describe('CandidateStore', () => {
  test('add, get, claim (the first claim sees no prior verdict) and texts are sanitized on entry', async () => {
    const { open } = await makeStore();
    const store = open();
    await store.load();
    const added = await store.add(candidate('m1'));
    expect(added.context[1]).toEqual({ role: 'user', content: 'hi @user', name: 'Alice' });
    expect(store.get('m1')?.reply).toBe('reply m1');
    const first = store.claim('m1', { kind: 'up' });
    const second = store.claim('m1', { kind: 'down' });
    expect(first?.prior).toBeUndefined();
    expect(second?.prior).toEqual({ kind: 'up' });
    store.revert('m1', second!.prior);
    expect(store.verdictOf('m1')).toEqual({ kind: 'up' });
    expect(store.claim('nope', { kind: 'up' })).toBeUndefined();
  });

  test('candidates, verdicts, parts and "my last reply here" survive a restart; dropped ones stay gone', async () => {
    const { open, file } = await makeStore();
    const a = open();
    await a.load();
    for (const id of ['m1', 'm2', 'm3']) await a.add(candidate(id));
    await a.add({ ...candidate('m4'), partIds: ['m4', 'm4b', 'm4c'] });
    await a.drop('m2');
    a.claim('m3', { kind: 'corrected', text: 'better <@123456789012345678>' });
    await a.persist('m3');
    a.claim('m1', { kind: 'down' });
    await a.close();
    expect(await readFile(file, 'utf8')).not.toContain('123456789012345678');
    const b = open();
    expect(await b.load()).toBe(3);
    expect(b.get('m1')?.context).toHaveLength(2);
    expect(b.verdictOf('m1')).toBeUndefined();
    expect(b.get('m2')).toBeUndefined();
    expect(b.verdictOf('m3')).toEqual({ kind: 'corrected', text: 'better @user' });
    expect(b.get('m4c')?.messageId).toBe('m4');
    expect(b.latestIn('42')).toBe('m4');
  });

  test('bounded: the oldest are dropped beyond max, and the journal is compacted', async () => {
    const { open, file } = await makeStore(5);
    const a = open();
    await a.load();
    for (let i = 0; i < 40; i += 1) await a.add(candidate(`m${i}`));
    expect(a.size).toBe(5);
    expect(a.get('m34')).toBeUndefined();
    expect(a.get('m35')).toBeDefined();
    await a.flush();
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(10);
    await a.close();
    const b = open();
    expect(await b.load()).toBe(5);
    expect(b.get('m39')?.reply).toBe('reply m39');
  });

  test('memory-only store works without a file', async () => {
    const store = new CandidateStore();
    expect(await store.load()).toBe(0);
    await store.add(candidate('x'));
    expect(store.get('x')?.messageId).toBe('x');
    expect(store.latestIn('42')).toBe('x');
  });
});

describe('candidate → dataset records (OpenAI fine-tuning formats)', () => {
  const spec = loadSpec(SPEC);
  const messageErrors = (messages: unknown[]) =>
    messages.flatMap((m, i) => validateSchema(spec, '#/components/schemas/ChatCompletionRequestMessage', m, `message ${i}`));

  test('positive / negative / corrected: {"messages": [...context, assistant weight 1]}', () => {
    const c = candidate('m1', 'meh');
    const positive = toPositive(c);
    expect(Object.keys(positive)).toEqual(['messages']);
    expect(positive.messages.at(-1)).toEqual({ role: 'assistant', content: 'meh', weight: 1 });
    expect(positive.messages.slice(0, -1)).toEqual(c.context);
    expect(toNegative(c)).toEqual(positive);
    const corrected = toCorrected(c, 'much better');
    expect(corrected.messages.at(-1)).toEqual({ role: 'assistant', content: 'much better', weight: 1 });
    for (const r of [positive, corrected]) {
      expect(messageErrors(r.messages.map(({ weight: _w, ...m }) => m))).toEqual([]);
      expect(sanitizeChatRecord(r).messages).toHaveLength(3);
    }
    positive.messages[0]!.content = 'changed';
    expect(c.context[0]?.content).toBe('You are Eos.');
  });

  test('preference: input.messages, one preferred and one non-preferred assistant message', () => {
    const c = { ...candidate('m1', 'meh'), context: [{ role: 'user' as const, content: 'hi', name: 'Alice' }] };
    const p = toPreference(c, 'much better');
    expect(Object.keys(p).sort()).toEqual(['input', 'non_preferred_output', 'preferred_output']);
    expect(p.input.messages).toEqual(c.context);
    expect(p.preferred_output).toEqual([{ role: 'assistant', content: 'much better' }]);
    expect(p.non_preferred_output).toEqual([{ role: 'assistant', content: 'meh' }]);
    expect(messageErrors([...p.input.messages, ...p.preferred_output, ...p.non_preferred_output])).toEqual([]);
    expect(sanitizePreferenceRecord(p)).toEqual(p);
  });

  test('earlier assistant turns are weight-0 context; a 👎 one is dropped, a corrected one reads as its correction', () => {
    const c: Candidate = {
      ...candidate('m9', 'final'),
      context: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'A: q1' }, { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'A: q2' }, { role: 'assistant', content: 'a2' },
        { role: 'user', content: 'A: q3' }, { role: 'assistant', content: 'a3' },
        { role: 'user', content: 'A: q4' },
      ],
      contextIds: [null, 'u1', 'r1', 'u2', 'r2', 'u3', 'r3', 'u4'],
    };
    const verdicts: Record<string, Verdict> = { r1: { kind: 'down' }, r2: { kind: 'corrected', text: 'a2 fixed' }, r3: { kind: 'up' } };
    const lookup = (id: string) => verdicts[id];
    const assistants = (r: { messages: { role: string; content: string; weight?: number }[] }) =>
      r.messages.filter((m) => m.role === 'assistant').map((m) => [m.content, m.weight]);
    expect(assistants(toPositive(c, lookup))).toEqual([['a2 fixed', 0], ['a3', 0], ['final', 1]]);
    expect(assistants(toCorrected(c, 'better', lookup))).toEqual([['a2 fixed', 0], ['a3', 0], ['better', 1]]);
    const p = toPreference(c, 'better', lookup);
    expect(p.input.messages.map((m) => m.content)).toEqual(['S', 'A: q1', 'A: q2', 'a2 fixed', 'A: q3', 'a3', 'A: q4']);
    expect(p.input.messages.some((m) => 'weight' in m)).toBe(false);
  });

  test('reasoning is trained only when the candidate kept it (conversation.reasoning.train)', () => {
    const c = { ...candidate('m1', 'It is 4.'), reasoning: '2+2=4' };
    expect(toPositive(c).messages.at(-1)).toEqual({ role: 'assistant', content: '<think>\n2+2=4\n</think>\n\nIt is 4.', weight: 1 });
    expect(toPositive(candidate('m2', 'It is 4.')).messages.at(-1)?.content).toBe('It is 4.');
  });
});
