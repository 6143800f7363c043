import { truncate, writeFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { JsonlExampleMemory } from '../../../src/memory/examples.js';
import { parseMemoryRecord } from '../../../src/memory/record.js';
import { datasetDir, record } from './helpers.js';

describe('parseMemoryRecord', () => {
  test('the answer is the final weighted assistant turn; context turns (weight 0) are not answers', () => {
    const r = parseMemoryRecord(record('What is the capital of France?', 'Paris.', [['hi', 'hello!']]));
    expect(r).toEqual({ prompt: 'What is the capital of France?', answer: 'Paris.' });
    const onlyContext = JSON.stringify({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', weight: 0 },
      ],
    });
    expect(parseMemoryRecord(onlyContext)).toBeNull();
    expect(parseMemoryRecord('{"messages": 3}')).toBeNull();
    expect(parseMemoryRecord('not json')).toBeNull();
  });
});

describe('JsonlExampleMemory (lexical)', () => {
  test('indexes once, then reads only appended records', async () => {
    const d = await datasetDir([record('How do I bake bread?', 'Flour, water, salt.'), 'torn json\n']);
    const memory = new JsonlExampleMemory(d.dir, () => 'default');
    expect((await memory.search('bake bread', 1))[0]?.answer).toBe('Flour, water, salt.');
    await d.append(record('What is the capital of France?', 'Paris.'));
    expect((await memory.search('capital of France', 1))[0]?.answer).toBe('Paris.');
    await d.append(record('What is the capital of France?', 'Paris, of course.'));
    expect((await memory.search('France capital', 1))[0]?.answer).toBe('Paris, of course.');
    expect(memory.status()).toMatchObject({ mode: 'lexical', records: 3, builds: 1 });
  });

  test('a line still being written is picked up once complete', async () => {
    const d = await datasetDir([record('How do I bake bread?', 'Flour.')]);
    const memory = new JsonlExampleMemory(d.dir, () => 'default');
    const line = record('Which ocean is the biggest?', 'The Pacific.');
    await d.append(line.slice(0, 20));
    expect(await memory.search('biggest ocean', 1)).toEqual([]);
    await d.append(line.slice(20));
    expect((await memory.search('biggest ocean', 1))[0]?.answer).toBe('The Pacific.');
    expect(memory.status().builds).toBe(1);
  });

  test('a truncated or rewritten file is indexed again from the start', async () => {
    const d = await datasetDir([record('How do I bake bread?', 'Flour.'), record('Which ocean is the biggest?', 'The Pacific.')]);
    const memory = new JsonlExampleMemory(d.dir, () => 'default');
    expect(await memory.search('biggest ocean', 1)).toHaveLength(1);
    await truncate(d.file, record('How do I bake bread?', 'Flour.').length);
    expect(await memory.search('biggest ocean', 1)).toEqual([]);
    await writeFile(d.file, record('How do I exit vim?', ':q!') + record('Which sea is the biggest?', 'The Philippine Sea.'));
    expect((await memory.search('biggest ocean or sea', 1))[0]?.answer).toBe('The Philippine Sea.');
    expect(await memory.search('bake bread', 1)).toEqual([]);
    expect(memory.status().builds).toBe(3);
  });

  test('follows the active dataset and copes with a missing file', async () => {
    const d = await datasetDir([record('How do I bake bread?', 'Flour.')]);
    let active = 'default';
    const memory = new JsonlExampleMemory(d.dir, () => active);
    expect(await memory.search('bake bread', 1)).toHaveLength(1);
    active = 'missing';
    expect(await memory.search('bake bread', 1)).toEqual([]);
    active = 'default';
    expect(await memory.search('bake bread', 1)).toHaveLength(1);
    expect(await memory.search('   ', 1)).toEqual([]);
  });
});
