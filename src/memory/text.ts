/**
 * Terms for the lexical index: unicode words, lower-cased and NFKC-normalised (similarity.ts's
 * tokens), English stop words dropped and a light suffix stripping so that "capitals", "capital"
 * and "capitalised" meet. Non-Latin words are kept as they are.
 */
import { tokens } from './similarity.js';

const STOP = new Set(
  (
    'a an the and or but if then of to in on at by for with from as is are was were be been being am do does did ' +
    'i me my you your he she it its we our they them their this that these those there here so such than too very ' +
    's t can will just should would could what which who whom whose when where why how please hey hi hello ok okay'
  ).split(' '),
);

/** Strips common English inflections from a word of Latin letters; other words pass through. */
export function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  for (const suffix of ['ingly', 'edly', 'ing', 'ed', 'ly', 'ised', 'ized', 'ise', 'ize', 'ation', 'ment', 'ness']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  if (/([b-df-hj-np-tv-z])\1$/.test(w) && !/(ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** Index terms of a text (stop words dropped; a text of only stop words keeps them). */
export function terms(text: string): string[] {
  const words = tokens(text);
  const kept = words.filter((w) => !STOP.has(w));
  return (kept.length > 0 ? kept : words).map(stem);
}
