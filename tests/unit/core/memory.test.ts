import { mkdtemp, mkdir, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { JsonlExampleMemory } from '../../../src/memory/examples.js';
import { createMemoryChatModel, NO_MATCH_REPLY } from '../../../src/llm/memory.js';
import { similarity } from '../../../src/memory/similarity.js';

const rec = (q: string, a: string) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 's' },
      { role: 'user', content: q },
      { role: 'assistant', content: a },
    ],
  }) + '\n';

async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'eos-mem-'));
  await mkdir(path.join(dir, 'default'));
  const file = path.join(dir, 'default', 'positive.jsonl');
  await writeFile(
    file,
    rec('What is the capital of France?', 'Paris.') + 'not json\n' + rec('How do I bake bread?', 'Flour, water, salt, yeast.'),
  );
  return { memory: new JsonlExampleMemory(dir, () => 'default'), file };
}

describe('training memory', () => {
  test('similarity is 1 for the same words and 0 for disjoint ones', () => {
    expect(similarity('Hello there', 'there HELLO')).toBeCloseTo(1);
    expect(similarity('alpha beta', 'gamma delta')).toBe(0);
  });

  test('finds the closest stored example and skips malformed lines', async () => {
    const { memory } = await setup();
    const [best] = await memory.search('capital of France?', 1);
    expect(best?.answer).toBe('Paris.');
    expect(await memory.search('zzz qqq', 3)).toEqual([]);
  });

  test('a newer record is seen without restart and wins a tie', async () => {
    const { memory, file } = await setup();
    await appendFile(file, rec('What is the capital of France?', 'Paris, of course.'));
    const [best] = await memory.search('What is the capital of France?', 1);
    expect(best?.answer).toBe('Paris, of course.');
  });

  test('the memory model answers from memory or says plainly that nothing matches', async () => {
    const { memory } = await setup();
    const model = createMemoryChatModel(memory);
    expect(await model.complete([{ role: 'user', content: 'Alice: how do I bake bread' }])).toBe('Flour, water, salt, yeast.');
    expect(await model.complete([{ role: 'user', content: 'Alice: tell me about quantum chromodynamics' }])).toBe(NO_MATCH_REPLY);
    let streamed = '';
    for await (const d of model.stream([{ role: 'user', content: 'capital of France' }])) streamed += d;
    expect(streamed).toBe('Paris.');
  });
});
