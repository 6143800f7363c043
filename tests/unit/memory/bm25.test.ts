import { describe, expect, test } from 'vitest';
import { Bm25Index } from '../../../src/memory/bm25.js';
import { stem, terms } from '../../../src/memory/text.js';

describe('terms', () => {
  test('drop stop words, fold case and inflections', () => {
    expect(terms('What are the Capitals of France?')).toEqual(['capital', 'franc']);
    expect(stem('boiling')).toBe(stem('boil'));
    expect(stem('watering')).toBe(stem('watered'));
    expect(terms('how are you')).toEqual(['how', 'are', 'you']);
  });
});

describe('Bm25Index', () => {
  test('ranks the document sharing the rarest words first, scores in [0, 1]', () => {
    const idx = new Bm25Index();
    idx.add(terms('how to bake bread at home'));
    idx.add(terms('how to fix a bike at home'));
    idx.add(terms('bread and butter pudding'));
    const hits = idx.search(terms('bake some bread'), 3);
    expect(hits[0]?.id).toBe(0);
    expect(hits.map((h) => h.id)).toContain(2);
    for (const h of hits) (expect(h.score).toBeGreaterThan(0), expect(h.score).toBeLessThanOrEqual(1));
    expect(idx.search(terms('quantum chromodynamics'), 3)).toEqual([]);
  });

  test('equal scores: the later document wins', () => {
    const idx = new Bm25Index();
    idx.add(terms('capital of france'));
    idx.add(terms('capital of france'));
    expect(idx.search(terms('capital france'), 1)[0]?.id).toBe(1);
  });

  test('a very common term is only looked up in the documents rarer terms found, with the same result', () => {
    const small = new Bm25Index(3);
    const full = new Bm25Index(1_000_000);
    for (let i = 0; i < 50; i++) {
      const doc = terms(`common word ${i % 7 === 0 ? 'zebra' : 'horse'} number${i}`);
      small.add(doc);
      full.add(doc);
    }
    const q = terms('common zebra');
    expect(small.search(q, 5)).toEqual(full.search(q, 5));
  });

  test('several common terms looked up in the candidates (in id order) score exactly as a full scan', () => {
    const small = new Bm25Index(100);
    const full = new Bm25Index(1_000_000);
    for (let i = 0; i < 1500; i++) {
      const doc = [`filler${i}`, `pad${i % 11}`];
      if (i % 50 === 7) doc.push('rare');
      if (i % 2 === 0) doc.push('c1');
      if (i % 3 === 0) doc.push('c2', 'c2');
      if (i % 5 === 0) doc.push('c3');
      else doc.push(`other${i}`);
      small.add(doc);
      full.add(doc);
    }
    for (const q of [
      ['rare', 'c1', 'c2', 'c3'],
      ['c3', 'rare'],
      ['rare', 'c2'],
    ]) {
      const got = small.search(q, 5);
      expect(got).toHaveLength(5);
      expect(got).toEqual(full.search(q, 5));
    }
  });
});
