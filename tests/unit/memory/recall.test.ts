/**
 * Recall of paraphrased questions on the labelled set (tests/fixtures/retrieval/paraphrases.json): each
 * stored question is asked again in other words; the right record must be among the first k. The lexical
 * index must find most of them (the benchmark prints the exact figures, bench/retrieval.ts).
 */
import { describe, expect, test } from 'vitest';
import { JsonlExampleMemory } from '../../../src/memory/examples.js';
import { datasetDir, paraphrases, record } from './helpers.js';

describe('retrieval recall on paraphrases', () => {
  test('lexical BM25: recall@3 ≥ 0.75 and recall@1 ≥ 0.6 over 40 paraphrases', async () => {
    const pairs = await paraphrases();
    expect(pairs).toHaveLength(40);
    const d = await datasetDir(pairs.map((p) => record(p.question, p.answer)));
    const memory = new JsonlExampleMemory(d.dir, () => 'default');
    let at1 = 0;
    let at3 = 0;
    const missed: string[] = [];
    for (const p of pairs) {
      const hits = await memory.search(p.paraphrase, 3);
      if (hits[0]?.answer === p.answer) at1++;
      if (hits.some((h) => h.answer === p.answer)) at3++;
      else missed.push(p.paraphrase);
    }
    expect(at3 / pairs.length, `missed: ${missed.join(' | ')}`).toBeGreaterThanOrEqual(0.75);
    expect(at1 / pairs.length).toBeGreaterThanOrEqual(0.6);
  });
});
