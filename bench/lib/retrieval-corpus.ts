/**
 * A synthetic positive.jsonl for the retrieval benchmark: N records in the shape the datasets write
 * (system, one context exchange with the assistant turn at weight 0, the question, the answer at
 * weight 1). Questions are 4–9 words drawn from a Zipf-distributed vocabulary of made-up words plus
 * common English glue words, so postings lists have realistic lengths. The 40 labelled questions of
 * tests/fixtures/retrieval/paraphrases.json are placed at evenly spread positions among them.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface Pair {
  id: number;
  question: string;
  answer: string;
  paraphrase: string;
}

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = 'ka lo mi ne ru sa te vo zi pa bel dor fen gar hul jin kor lum mar nor pel quin ros sil tam ver wyn'.split(' ');
const GLUE = 'how do i the a what is can you my to of in for with why does it on should when'.split(' ');

export function vocabulary(size: number, rand: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/** Zipf(s≈1) sampler over `n` ranks. */
export function zipf(n: number, rand: () => number): () => number {
  const h = Math.log(n) + 0.5772;
  return () => Math.min(n - 1, Math.floor(Math.exp(rand() * h)) - 1);
}

export function syntheticQuestion(vocab: string[], rank: () => number, rand: () => number): string {
  const words: string[] = [];
  const n = 4 + Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) words.push(rand() < 0.35 ? GLUE[Math.floor(rand() * GLUE.length)]! : vocab[rank()]!);
  return `${words.join(' ')}?`;
}

export function recordLine(question: string, answer: string): string {
  return `${JSON.stringify({
    messages: [
      { role: 'system', content: 'You are Eos, a friendly member of the server.' },
      { role: 'user', content: 'Sam: hey everyone' },
      { role: 'assistant', content: 'Hi Sam!', weight: 0 },
      { role: 'user', content: `Alice: ${question}` },
      { role: 'assistant', content: answer, weight: 1 },
    ],
  })}\n`;
}

export async function labelledPairs(): Promise<Pair[]> {
  const url = new URL('../../tests/fixtures/retrieval/paraphrases.json', import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')) as Pair[];
}

/** Writes N records (the labelled ones included) and returns sample synthetic questions for latency queries. */
export async function writeCorpus(file: string, n: number, pairs: Pair[], seed = 7): Promise<string[]> {
  const rand = prng(seed);
  const vocab = vocabulary(30_000, rand);
  const rank = zipf(vocab.length, rand);
  const every = Math.max(1, Math.floor(n / pairs.length));
  const samples: string[] = [];
  const out = createWriteStream(file);
  let buf = '';
  for (let i = 0; i < n; i++) {
    const labelled = i % every === 0 ? pairs[i / every] : undefined;
    const q = labelled?.question ?? syntheticQuestion(vocab, rank, rand);
    if (!labelled && samples.length < 2000 && rand() < 0.01) samples.push(q);
    buf += recordLine(q, labelled?.answer ?? `answer ${i}: ${syntheticQuestion(vocab, rank, rand)}`);
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return samples;
}

/** A query in other words: drop a word, shuffle the rest. */
export function perturb(q: string, rand: () => number): string {
  const words = q.replace(/\?$/, '').split(' ');
  if (words.length > 3) words.splice(Math.floor(rand() * words.length), 1);
  for (let i = words.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [words[i], words[j]] = [words[j]!, words[i]!];
  }
  return words.join(' ');
}
