import { describe, expect, test } from 'vitest';
import { detectFormat } from '../../../src/training/ingest/index.js';

describe('detectFormat', () => {
  test('trusts .jsonl/.ndjson/.csv/.tsv extensions', () => {
    expect(detectFormat('data.JSONL', 'whatever')).toBe('jsonl');
    expect(detectFormat('data.ndjson', '')).toBe('jsonl');
    expect(detectFormat('Data.CSV', 'a,b\n1,2')).toBe('csv');
    expect(detectFormat('data.tsv', 'prompt\tcompletion')).toBe('csv');
  });

  test('.json is an array when it starts with [ (after a BOM and whitespace), else JSONL', () => {
    expect(detectFormat('x.json', '\uFEFF  \n[{"messages":[]}]')).toBe('json-array');
    expect(detectFormat('x.json', '{"messages":[]}\n{"messages":[]}')).toBe('jsonl');
  });

  test('sniffs content for other names and inline text', () => {
    expect(detectFormat(null, '  [ {"messages": []} ]')).toBe('json-array');
    expect(detectFormat('notes.txt', '{"messages": []}')).toBe('jsonl');
    expect(detectFormat(null, 'Question;Answer\n"a";"b"')).toBe('csv');
    expect(detectFormat('upload', '"Prompt","Completion","System"\nhi,hello,sys')).toBe('csv');
    expect(detectFormat(null, 'input,output\nx,y')).toBe('csv');
    expect(detectFormat('chat.txt', 'User: hi\nAssistant: hello')).toBe('text');
    expect(detectFormat(null, 'prompt,label\nx,y')).toBe('text');
    expect(detectFormat(null, '')).toBe('text');
  });
});
