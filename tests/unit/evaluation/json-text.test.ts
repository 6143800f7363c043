import { findJsonErrorOffset } from '../../../src/evaluation/json-locate.js';
import { describe, expect, test } from 'vitest';
import { blankCodeFence, findExcessDepth, jsonErrorPosition, jsonErrorReason, positionAt } from '../../../src/evaluation/json-text.js';

describe('positionAt', () => {
  test('counts lines and columns from 1', () => {
    const text = 'ab\ncde\n\nf';
    expect(positionAt(text, 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt(text, 4)).toEqual({ line: 2, column: 2 });
    expect(positionAt(text, 8)).toEqual({ line: 4, column: 1 });
    expect(positionAt(text, 999)).toEqual({ line: 4, column: 2 });
  });
});

describe('jsonErrorPosition handles every message format', () => {
  const text = '[\n  {"a": 1},\n  {"b" 2}\n]';
  test('Node 22+ "(line X column Y)"', () => {
    expect(jsonErrorPosition("Expected ':' after property name in JSON at position 19 (line 3 column 7)", text)).toEqual({
      line: 3,
      column: 7,
    });
  });
  test('older "at position N" is converted with the text', () => {
    expect(jsonErrorPosition('Unexpected number in JSON at position 21', text)).toEqual({ line: 3, column: 8 });
  });
  test('"Unexpected end of JSON input" points at the end', () => {
    expect(jsonErrorPosition('Unexpected end of JSON input', '[\n 1,')).toEqual({ line: 2, column: 4 });
  });
  test('no position in the message: the text is scanned for the first error', () => {
    expect(jsonErrorPosition(`Unexpected token 'x', "[x]" is not valid JSON`, '[x]')).toEqual({ line: 1, column: 2 });
    const text = '[{"input": "x", "expected": "y"},\n {"input": }]';
    expect(jsonErrorPosition(`Unexpected token '}', ..."{"input": }]" is not valid JSON`, text)).toEqual({ line: 2, column: 12 });
  });
  test('the scanner agrees with JSON.parse on what is valid', () => {
    const cases = ['[]', '{"a":[1,2.5e3,-0,true,null,"\\u00e9"]}', '[1,]', '{"a" 1}', '"\\x"', '01', '[1 2]', '{"a":1}x', '  '];
    for (const c of cases) {
      let valid = true;
      try {
        JSON.parse(c);
      } catch {
        valid = false;
      }
      expect(findJsonErrorOffset(c) === -1, c).toBe(valid);
    }
  });
  test('the real JSON.parse message of this Node agrees with the text', () => {
    const bad = '[\n  {"a": 1},\n  {"b" 2}\n]';
    let message = '';
    try {
      JSON.parse(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(jsonErrorPosition(message, bad)).toEqual({ line: 3, column: 8 });
    // The offset alone (older Node) leads to the same place as V8's own line/column.
    const offsetOnly = message.replace(/\s*\(line \d+ column \d+\)/, '');
    expect(offsetOnly).toMatch(/at position \d+$/);
    expect(jsonErrorPosition(offsetOnly, bad)).toEqual({ line: 3, column: 8 });
    expect(jsonErrorReason(message)).toBe("Expected ':' after property name");
  });
});

describe('findExcessDepth', () => {
  test('finds the first bracket past the limit, ignoring brackets in strings', () => {
    expect(findExcessDepth('[[["[[[[[["]]]', 3)).toBe(-1);
    expect(findExcessDepth('[[[[1]]]]', 3)).toBe(3);
    expect(findExcessDepth('["\\"[[[[", [[{}]]]', 3)).toBe(13);
  });
});

describe('blankCodeFence', () => {
  test('replaces fence markers with spaces so positions are kept', () => {
    const text = '```json\n[1,\n 2]\n```';
    const out = blankCodeFence(text);
    expect(out).toBe('       \n[1,\n 2]\n   ');
    expect(JSON.parse(out)).toEqual([1, 2]);
  });
  test('leaves unfenced text alone', () => {
    expect(blankCodeFence('[1, 2]')).toBe('[1, 2]');
  });
});
