import { describe, expect, test } from 'vitest';
import { splitReasoning, visibleDeltas, withReasoning } from '../../../src/conversation/reasoning.js';
import { isCanned, SHUTDOWN_NOTE, APOLOGIES, cutOffNote } from '../../../src/conversation/canned.js';
import { NO_MATCH_REPLY } from '../../../src/llm/memory.js';

async function collect(parts: string[]): Promise<string[]> {
  async function* gen() {
    for (const p of parts) yield p;
  }
  const out: string[] = [];
  for await (const d of visibleDeltas(gen())) out.push(d);
  return out;
}

describe('splitReasoning', () => {
  test('text without blocks is returned unchanged', () => {
    expect(splitReasoning('  plain <b>html</b> answer ')).toEqual({ visible: '  plain <b>html</b> answer ', reasoning: '' });
  });

  test('<think>, <thinking>, <reasoning> and <reflection> blocks are removed (any case), several of them', () => {
    expect(splitReasoning('<think>a</think>\n\nAnswer')).toEqual({ visible: 'Answer', reasoning: 'a' });
    expect(splitReasoning('<THINKING> b </THINKING>One <reasoning>c</reasoning>two')).toEqual({ visible: 'One two', reasoning: 'b\n\nc' });
    expect(splitReasoning('<reflection>d</reflection>x').visible).toBe('x');
  });

  test('an unclosed block hides the rest; a stray closing tag makes everything before it reasoning', () => {
    expect(splitReasoning('Answer so far <think>still thinking')).toEqual({ visible: 'Answer so far ', reasoning: 'still thinking' });
    expect(splitReasoning('scratch work</think>\nThe answer.')).toEqual({ visible: 'The answer.', reasoning: 'scratch work' });
  });

  test('withReasoning puts a kept block before the answer', () => {
    expect(withReasoning('4', '2+2')).toBe('<think>\n2+2\n</think>\n\n4');
    expect(withReasoning('4', undefined)).toBe('4');
  });
});

describe('visibleDeltas', () => {
  test('tags split across deltas never show, not even partly', async () => {
    const parts = ['<th', 'ink>sec', 'ret</thi', 'nk>\n\nIt', ' is', ' 4.'];
    const out = await collect(parts);
    let shown = '';
    for (const d of out) {
      shown += d;
      expect(shown).not.toMatch(/<|secret|think/);
    }
    expect(shown).toBe('It is 4.');
  });

  test('a "<" that is no tag is passed on once it cannot become one', async () => {
    expect((await collect(['a <', ' b', ' <thinx> c'])).join('')).toBe('a < b <thinx> c');
    expect((await collect(['ends with <'])).join('')).toBe('ends with <');
  });
});

describe('canned texts', () => {
  test('apologies, notes and the offline "not connected" answer are canned; answers are not', () => {
    for (const t of [NO_MATCH_REPLY, SHUTDOWN_NOTE, APOLOGIES.timeout!, cutOffNote('error'), ` ${NO_MATCH_REPLY}\n`])
      expect(isCanned(t)).toBe(true);
    expect(isCanned('Sorry, I disagree.')).toBe(false);
  });
});
