import { OPENAI_SPEC_PATH } from '../../llm-server/contract.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadSpec, validateSchema } from '../../contracts/openapi.js';
import { CandidateStore, toCorrected, toNegative, toPositive, toPreference, type Candidate } from '../../../src/datasets/candidates.js';
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
  test('add, get, take (take removes once) and texts are sanitized on entry', async () => {
    const { open } = await makeStore();
    const store = open();
    await store.load();
    const added = await store.add(candidate('m1'));
    expect(added.context[1]).toEqual({ role: 'user', content: 'hi @user', name: 'Alice' });
    expect(store.get('m1')?.reply).toBe('reply m1');
    const [first, second] = await Promise.all([store.take('m1'), store.take('m1')]);
    expect(first?.messageId).toBe('m1');
    expect(second).toBeUndefined();
    expect(store.get('m1')).toBeUndefined();
  });

  test('candidates survive a restart through the journal; taken ones stay gone', async () => {
    const { open, file } = await makeStore();
    const a = open();
    await a.load();
    await Promise.all(['m1', 'm2', 'm3'].map((id) => a.add(candidate(id))));
    await a.take('m2');
    await a.close();
    expect(await readFile(file, 'utf8')).not.toContain('123456789012345678');
    const b = open();
    expect(await b.load()).toBe(2);
    expect(b.get('m1')?.context).toHaveLength(2);
    expect(b.get('m2')).toBeUndefined();
    expect(b.get('m3')?.reply).toBe('reply m3');
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
    expect((await store.take('x'))?.messageId).toBe('x');
  });
});

describe('candidate → dataset records (OpenAI fine-tuning formats)', () => {
  const spec = loadSpec(SPEC);
  const messageErrors = (messages: unknown[]) =>
    messages.flatMap((m, i) => validateSchema(spec, '#/components/schemas/ChatCompletionRequestMessage', m, `message ${i}`));

  test('positive / negative / corrected: {"messages": [...context, assistant]}', () => {
    const c = candidate('m1', 'meh');
    const positive = toPositive(c);
    expect(Object.keys(positive)).toEqual(['messages']);
    expect(positive.messages.at(-1)).toEqual({ role: 'assistant', content: 'meh' });
    expect(positive.messages.slice(0, -1)).toEqual(c.context);
    expect(toNegative(c)).toEqual(positive);
    const corrected = toCorrected(c, 'much better');
    expect(corrected.messages.at(-1)).toEqual({ role: 'assistant', content: 'much better' });
    for (const r of [positive, corrected]) {
      expect(messageErrors(r.messages)).toEqual([]);
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
});
