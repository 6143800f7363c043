/**
 * Incremental sentence splitter for streamed LLM text: push() deltas, get each sentence as soon as it is certainly
 * complete (the character after its end has arrived), flush() the rest at the end. Does not split decimals (3.14),
 * dotted names (example.com), common abbreviations (Dr., e.g.), initials (J. R. R.), list numbers ("1. ") or before a
 * lowercase word; splits at newlines; cuts over-long run-ons at a clause boundary.
 */
export interface SplitterOptions {
  /** A sentence longer than this is cut at a comma, semicolon, colon or space. Default 300. */
  maxChars?: number;
}

const TERMINATORS = '.!?…';
const ALWAYS_END = '。！？';
const CLOSERS = `"'”’)]»`;
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'mt',
  'ft',
  'fig',
  'approx',
  'dept',
  'est',
  'gen',
  'gov',
  'lt',
  'col',
  'capt',
  'sgt',
  'rev',
  'hon',
  'inc',
  'ltd',
  'co',
  'corp',
  'al',
  'cf',
  'no',
  'vol',
  'ch',
  'pp',
]);

export class SentenceSplitter {
  private buffer = '';
  private readonly maxChars: number;

  constructor(opts: SplitterOptions = {}) {
    this.maxChars = opts.maxChars ?? 300;
  }

  /** Adds text; returns the sentences it completed (trimmed, non-empty). */
  push(delta: string): string[] {
    this.buffer += delta;
    const out: string[] = [];
    for (;;) {
      const cut = findBoundary(this.buffer) ?? this.overlong();
      if (cut === undefined) return out;
      const sentence = this.buffer.slice(0, cut).trim();
      this.buffer = this.buffer.slice(cut);
      if (sentence) out.push(sentence);
    }
  }

  /** The remaining text (end of the reply), or null when there is none. */
  flush(): string | null {
    const rest = this.buffer.trim();
    this.buffer = '';
    return rest === '' ? null : rest;
  }

  reset(): void {
    this.buffer = '';
  }

  private overlong(): number | undefined {
    if (this.buffer.trimEnd().length <= this.maxChars) return undefined;
    const head = this.buffer.slice(0, this.maxChars);
    const clause = Math.max(head.lastIndexOf(', '), head.lastIndexOf('; '), head.lastIndexOf(': '));
    if (clause >= this.maxChars * 0.4) return clause + 1;
    const space = head.lastIndexOf(' ');
    return space > 0 ? space : this.maxChars;
  }
}

/** Index just past the first certain sentence end, or undefined when none is certain yet. */
export function findBoundary(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\n') {
      if (text.slice(0, i).trim()) return i + 1;
      continue;
    }
    if (ALWAYS_END.includes(ch)) return i + 1;
    if (!TERMINATORS.includes(ch)) continue;
    let end = i + 1;
    while (end < text.length && TERMINATORS.includes(text[end] as string)) end++;
    while (end < text.length && CLOSERS.includes(text[end] as string)) end++;
    if (end >= text.length) return undefined;
    if (!/\s/.test(text[end] as string)) {
      i = end - 1;
      continue;
    }
    if (ch === '.' && end === i + 1) {
      const verdict = periodVerdict(text, i, end);
      if (verdict === 'wait') return undefined;
      if (verdict === 'no') continue;
    }
    return end;
  }
  return undefined;
}

/** Whether the single '.' at `dot` (followed by whitespace at `end`) ends a sentence. */
function periodVerdict(text: string, dot: number, end: number): 'yes' | 'no' | 'wait' {
  const word = /[\p{L}\p{N}.]*$/u.exec(text.slice(0, dot))?.[0] ?? '';
  const bare = word.toLowerCase();
  if (ABBREVIATIONS.has(bare) || bare.includes('.')) return 'no';
  if (/^\p{Lu}$/u.test(word)) return 'no';
  const lineStart = text.lastIndexOf('\n', dot - 1) + 1;
  if (/^\d{1,2}$/.test(word) && text.slice(lineStart, dot - word.length).trim() === '') return 'no';
  const rest = text.slice(end);
  const after = /\S/.exec(rest);
  if (!after) return rest.includes('\n') ? 'yes' : 'wait';
  return /\p{Ll}/u.test(after[0]) ? 'no' : 'yes';
}
