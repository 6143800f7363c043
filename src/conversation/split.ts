import { findCodeBlocks, regionAt, type CodeBlock } from './fences.js';

/**
 * One message-sized piece of a long text: `body` is an exact slice of the input (bodies joined
 * give the input back); `open`/`close` are fences added so a code block cut in two renders as
 * code in both parts (`close` ends this part's block, `open` reopens it with the same language).
 */
export interface SplitChunk {
  open: string;
  body: string;
  close: string;
}

/** Below this limit code fences are not repaired (the fences would eat the message). */
const MIN_FENCED_LIMIT = 32;
type Kind = 'para' | 'line' | 'sentence' | 'space';
const KINDS: readonly Kind[] = ['para', 'line', 'sentence', 'space'];

export function renderChunk(chunk: SplitChunk): string {
  return chunk.open + chunk.body + chunk.close;
}

/**
 * Splits text into parts of at most `limit` UTF-16 units (Discord's unit), preferring paragraph
 * breaks, then line breaks, then sentence ends, then spaces; separators stay at the end of the
 * earlier part. Code blocks are kept whole when they fit in one part; a block that must be cut is
 * closed at the end of the part and reopened (same language) in the next. Never splits a
 * surrogate pair (limit >= 2). Empty input gives no parts. Trailing whitespace that would form a
 * part of its own is dropped; otherwise the parts, minus added fences, join to the input. Only a
 * run of whitespace longer than the limit can produce a whitespace-only part.
 */
export function splitMessage(text: string, limit = 2000): string[] {
  const chunks = splitWithFences(text, limit);
  const last = chunks.at(-1);
  if (chunks.length > 1 && last && !/\S/.test(last.body)) chunks.pop();
  return chunks.map(renderChunk);
}

/** Like splitMessage, but exact: bodies always join to the input, and each part shows its added fences. */
export function splitWithFences(text: string, limit = 2000): SplitChunk[] {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`split limit must be a positive integer, got ${limit}`);
  const blocks = limit >= MIN_FENCED_LIMIT ? findCodeBlocks(text) : [];
  const chunks: SplitChunk[] = [];
  let pos = 0;
  while (pos < text.length) {
    const start = regionAt(blocks, pos);
    const open = start.kind === 'code' ? reopenFence(start.block.lang, limit) : '';
    const budget = limit - open.length;
    const end = text.length - pos <= budget ? text.length : chooseCut(text, pos, budget, blocks, limit);
    const close = end < text.length && regionAt(blocks, end).kind === 'code' ? closeFence(text, end) : '';
    chunks.push({ open, body: text.slice(pos, end), close });
    pos = end;
  }
  return chunks;
}

function reopenFence(lang: string, limit: number): string {
  const full = '```' + lang + '\n';
  return full.length <= limit / 4 ? full : '```\n';
}

function closeFence(text: string, end: number): string {
  return text[end - 1] === '\n' ? '```' : '\n```';
}

function boundaryKind(text: string, c: number): Kind | null {
  const prev = text[c - 1] ?? '';
  if (prev === '\n') {
    const before = text[c - 2] === '\r' ? text[c - 3] : text[c - 2];
    return before === '\n' ? 'para' : 'line';
  }
  if (/\s/.test(prev)) return /[.!?…]/.test(text[c - 2] ?? '') ? 'sentence' : 'space';
  if (/[。！？]/.test(prev)) return 'sentence';
  return null;
}

/** A hard cut must not separate a surrogate pair, a ZWJ sequence, a variation selector or skin tone. */
function safeHardCut(text: string, c: number): boolean {
  const prev = text.charCodeAt(c - 1);
  if (prev >= 0xd800 && prev <= 0xdbff) return false;
  if (prev === 0x200d) return false;
  const next = text.codePointAt(c) ?? 0;
  if (next === 0x200d || next === 0xfe0f || (next >= 0x300 && next <= 0x36f)) return false;
  return !(next >= 0x1f3fb && next <= 0x1f3ff);
}

interface Candidates {
  out: Partial<Record<Kind, number>>;
  anyOut?: number;
  codeLine?: number;
  codeSpace?: number;
  hard?: number;
  hardFence?: number;
}

function collect(text: string, pos: number, budget: number, blocks: readonly CodeBlock[]): Candidates {
  const found: Candidates = { out: {} };
  const maxEnd = Math.min(text.length, pos + budget);
  // A part must show something: cuts start after the first visible character when there is one.
  const visible = text.slice(pos, maxEnd).search(/\S/);
  for (let c = pos + 1 + Math.max(visible, 0); c <= maxEnd; c++) {
    const kind = boundaryKind(text, c);
    const region = regionAt(blocks, c);
    if (region.kind === 'fence') {
      if (safeHardCut(text, c)) found.hardFence = c;
      continue;
    }
    if (region.kind === 'out') {
      if (kind) found.out[kind] = found.anyOut = c;
      if (safeHardCut(text, c)) found.hard = c;
      continue;
    }
    if (c - pos + closeFence(text, c).length > budget) continue;
    if (safeHardCut(text, c)) found.hard = c;
    if (c === region.block.contentStart || c === region.block.closeStart) continue;
    if (kind === 'para' || kind === 'line') found.codeLine = c;
    else if (kind) found.codeSpace = c;
  }
  return found;
}

/** Picks where the part starting at `pos` ends; `budget` excludes the reopening fence. */
function chooseCut(text: string, pos: number, budget: number, blocks: readonly CodeBlock[], limit: number): number {
  const found = collect(text, pos, budget, blocks);
  const minFill = pos + Math.floor(budget / 2);
  for (const kind of KINDS) {
    const c = found.out[kind];
    if (c !== undefined && c >= minFill) return c;
  }
  // No well-filled boundary outside code: cut before a code block that fits in a part of its own,
  // else inside the code at a line break, else at any boundary, else anywhere safe.
  const tail = regionAt(blocks, Math.min(text.length, pos + budget));
  const fitsAlone = tail.kind !== 'out' && tail.block.openStart >= pos && tail.block.closeEnd - tail.block.openStart <= limit;
  if (found.anyOut !== undefined && (fitsAlone || found.anyOut > (found.codeLine ?? -1))) return found.anyOut;
  const fallback = found.codeLine ?? found.anyOut ?? found.codeSpace ?? found.hard ?? found.hardFence;
  return fallback ?? pos + 1;
}
