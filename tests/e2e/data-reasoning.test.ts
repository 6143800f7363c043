/**
 * Issue 8, "reasoning models", configured the other way: `conversation.reasoning.show` and
 * `.train` on. The default (hidden, not trained) is tested in data-records.test.ts.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { kit } from './data-kit.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    behaviour: { conversation: { streamEditIntervalMs: 250, reasoning: { show: true, train: true } }, training: { fewShot: 0 } },
  });
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  await h.close();
});

test('reasoning shown as a quote and kept in the trained turn, but never in the history', async () => {
  const k = kit(h);
  const r = await k.ask('what is 2+2?', '<think>Add two and two.</think>It is 4.');
  expect(r.content).toBe('> Add two and two.\n\nIt is 4.');
  await k.click(r.id, 'up', h.bob.id);
  const rec = (await k.waitLines('positive.jsonl', 1)).at(-1)!;
  expect(rec.messages.at(-1)).toEqual({ role: 'assistant', content: '<think>\nAdd two and two.\n</think>\n\nIt is 4.', weight: 1 });
  await k.ask('and 3+3?', '6.');
  expect(
    k
      .lastPrompt()
      .filter((m) => m.role === 'assistant')
      .map((m) => m.content),
  ).toEqual(['It is 4.']);
});
