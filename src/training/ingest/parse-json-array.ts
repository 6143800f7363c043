/**
 * A JSON array of records, split incrementally: a small scanner tracks strings, escapes and
 * nesting depth and hands each top-level element to JSON.parse on its own, so only one element is
 * held at a time (an element can't exceed the byte limit of the whole upload).
 */
import { parseJsonValue } from './parse-jsonl.js';
import type { IngestError, ParsedItem } from './types.js';

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === NL || c === 0x0d || c === 0x09;
}

type State = 'before' | 'inside' | 'after' | 'failed';

export class JsonArraySplitter {
  private state: State = 'before';
  private line = 1;
  private active = false;
  private expectValue = true;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private elementLine = 0;
  private out: ParsedItem[] = [];

  /** Feeds one text chunk; returns the elements completed in it. */
  feed(chunk: string): ParsedItem[] {
    this.out = [];
    let start = 0;
    for (let i = 0; i < chunk.length && this.state !== 'failed'; i++) {
      const c = chunk.charCodeAt(i);
      if (c === NL) this.line++;
      if (this.active) {
        if (this.scan(c)) {
          this.parts.push(chunk.slice(start, i));
          this.finishElement(c);
        }
      } else if (this.state === 'inside') {
        if (this.between(c)) start = i;
      } else if (!isSpace(c)) {
        this.outside(c);
      }
    }
    if (this.active) this.parts.push(chunk.slice(start));
    return this.out;
  }

  /** Call at the end of input; reports an unclosed array. */
  end(): ParsedItem[] {
    this.out = [];
    if (this.state === 'inside') this.fail('the JSON array is not closed (missing ])');
    return this.out;
  }

  /** Inside an element: true when `c` (a top-level `,` or `]`) ends it. */
  private scan(c: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) this.inString = false;
      return false;
    }
    if (c === QUOTE) this.inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (this.depth === 0) return c === CLOSE_BRACKET;
      this.depth--;
    } else if (c === COMMA) return this.depth === 0;
    return false;
  }

  /** Between elements; true when `c` starts a new element. */
  private between(c: number): boolean {
    if (isSpace(c)) return false;
    if (c === CLOSE_BRACKET) {
      this.state = 'after';
      return false;
    }
    if (c === COMMA) {
      if (this.expectValue) this.error('an extra comma in the JSON array');
      this.expectValue = true;
      return false;
    }
    this.active = true;
    this.expectValue = false;
    this.elementLine = this.line;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scan(c);
    return true;
  }

  private outside(c: number): void {
    if (this.state === 'before' && c === OPEN_BRACKET) this.state = 'inside';
    else if (this.state === 'before') this.fail('the file does not start with a JSON array [');
    else this.fail('unexpected text after the closing ] of the JSON array');
  }

  private finishElement(c: number): void {
    this.out.push(parseJsonValue(this.parts.join(''), this.elementLine));
    this.parts = [];
    this.active = false;
    if (c === CLOSE_BRACKET) this.state = 'after';
    else this.expectValue = true;
  }

  private error(message: string): void {
    const error: IngestError = { line: this.line, code: 'invalid_json', message };
    this.out.push({ line: this.line, error });
  }

  private fail(message: string): void {
    this.error(message);
    this.state = 'failed';
    this.active = false;
  }
}

export async function* parseJsonArray(chunks: AsyncIterable<string>): AsyncGenerator<ParsedItem[]> {
  const splitter = new JsonArraySplitter();
  for await (const chunk of chunks) {
    const items = splitter.feed(chunk);
    if (items.length > 0) yield items;
  }
  const tail = splitter.end();
  if (tail.length > 0) yield tail;
}
