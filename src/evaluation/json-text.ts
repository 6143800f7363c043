import { findJsonErrorOffset } from './json-locate.js';
/**
 * Helpers around JSON.parse for user-supplied suites: where a syntax error is (line and column, whatever
 * the Node version's message format), how deeply the text nests (checked before parsing), and a
 * position-preserving removal of a Markdown code fence around the JSON (as pasted in Discord).
 */

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like JSON.parse's own positions. */
  column: number;
}

/** 1-based line and column of a UTF-16 offset in `text` (offsets past the end clamp to the end). */
export function positionAt(text: string, offset: number): TextPosition {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Where a JSON.parse error happened, from its message:
 * - Node ≥ 21: "... in JSON at position 19 (line 3 column 7)";
 * - older V8: "... in JSON at position 19";
 * - "Unexpected end of JSON input" (every version): the end of the text.
 * When the message carries no position (V8's `Unexpected token 'x', "..." is not valid JSON`), the text is scanned.
 */
export function jsonErrorPosition(message: string, text: string): TextPosition | null {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(message);
  if (pos) return positionAt(text, Number(pos[1]));
  if (/unexpected end of JSON input/i.test(message)) return positionAt(text, text.length);
  const found = findJsonErrorOffset(text);
  return found >= 0 ? positionAt(text, found) : null;
}

/** The message without its position suffix: "Expected ':' after property name". */
export function jsonErrorReason(message: string): string {
  return message
    .replace(/,\s*(\.\.\.)?"[\s\S]*" is not valid JSON$/, '')
    .replace(/'([^\x20-\x7e])'/gu, (_, ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*in JSON at position \d+/, '')
    .replace(/\s*at position \d+/, '')
    .trim();
}

/**
 * Offset of the first `[` or `{` that nests deeper than `maxDepth` (outside strings), or -1.
 * Runs on raw text so it also guards malformed input; linear, no recursion.
 */
export function findExcessDepth(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > maxDepth) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return -1;
}

/**
 * Blanks out a Markdown fence around the whole text (```json ... ```), replacing the fence markers with
 * spaces so that line and column numbers still match what the user wrote. Other text is returned as is.
 */
export function blankCodeFence(text: string): string {
  const open = /^(\s*)(```[^\n`]*)\n/.exec(text);
  const close = /\n(\s*```)\s*$/.exec(text);
  if (!open || !close || close.index < open[0].length - 1) return text;
  const openStart = (open[1] ?? '').length;
  const openLen = (open[2] ?? '').length;
  const closeStart = close.index + 1;
  const closeLen = (close[1] ?? '').length;
  return (
    text.slice(0, openStart) +
    ' '.repeat(openLen) +
    text.slice(openStart + openLen, closeStart) +
    ' '.repeat(closeLen) +
    text.slice(closeStart + closeLen)
  );
}
