/**
 * Fenced code blocks (```lang ... ```) in chat text, as Discord renders them closely enough for
 * splitting: a fence is a line whose first non-blank characters are three backticks. Outside a
 * block such a line opens one (its first word after the backticks is the language), unless the
 * line also contains a second ``` (a one-line block, e.g. "```x```"). Inside a block, any fence
 * line closes it. A block left open runs to the end of the text.
 */
export interface CodeBlock {
  /** Offset of the opening fence line. */
  openStart: number;
  /** Offset just after the opening fence line (after its newline). */
  contentStart: number;
  /** Offset of the closing fence line (text length when unclosed). */
  closeStart: number;
  /** Offset just after the closing fence line (text length when unclosed). */
  closeEnd: number;
  lang: string;
  closed: boolean;
}

/** Where a cut between text[c-1] and text[c] falls. */
export type Region =
  | { kind: 'out' }
  | { kind: 'code'; block: CodeBlock }
  /** Strictly inside a fence line itself: never a good place to cut. */
  | { kind: 'fence'; block: CodeBlock };

export function findCodeBlocks(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { openStart: number; contentStart: number; lang: string } | null = null;
  let lineStart = 0;
  for (;;) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl;
    const next = nl === -1 ? text.length : nl + 1;
    const line = text.slice(lineStart, lineEnd).trimStart();
    if (line.startsWith('```')) {
      if (open) {
        blocks.push({ ...open, closeStart: lineStart, closeEnd: next, closed: true });
        open = null;
      } else if (!line.slice(3).includes('```')) {
        open = { openStart: lineStart, contentStart: next, lang: line.slice(3).trim().split(/\s+/)[0] ?? '' };
      }
    }
    if (nl === -1) break;
    lineStart = next;
  }
  if (open) blocks.push({ ...open, closeStart: text.length, closeEnd: text.length, closed: false });
  return blocks;
}

/** Classifies the cut position `c` against the (sorted) blocks of a text. */
export function regionAt(blocks: readonly CodeBlock[], c: number): Region {
  for (const block of blocks) {
    if (c <= block.openStart) break;
    if (c >= block.closeEnd && block.closed) continue;
    if (c < block.contentStart) return { kind: 'fence', block };
    if (c <= block.closeStart) return { kind: 'code', block };
    return { kind: 'fence', block };
  }
  return { kind: 'out' };
}
