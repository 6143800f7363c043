/** Bag-of-words cosine similarity, unicode-aware and case-insensitive. Good enough to find "the same question". */
export function tokens(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

export type Vector = Map<string, number>;

export function vectorize(text: string): Vector {
  const v: Vector = new Map();
  for (const t of tokens(text)) v.set(t, (v.get(t) ?? 0) + 1);
  return v;
}

export function cosine(a: Vector, b: Vector): number {
  if (a.size === 0 || b.size === 0) return 0;
  let dot = 0;
  for (const [k, x] of a) dot += x * (b.get(k) ?? 0);
  return dot / (norm(a) * norm(b));
}

function norm(v: Vector): number {
  let s = 0;
  for (const x of v.values()) s += x * x;
  return Math.sqrt(s);
}

export function similarity(a: string, b: string): number {
  return cosine(vectorize(a), vectorize(b));
}
