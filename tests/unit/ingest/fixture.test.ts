import { createReadStream, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { exampleTokens } from '../../../src/training/ingest/index.js';
import { run } from './helpers.js';

/** OpenAI cookbook's public sample (see tests/fixtures/training/README.md), byte for byte. */
const FIXTURE = new URL('../../fixtures/training/toy_chat_fine_tuning.jsonl', import.meta.url);

/*
 * Counted by reading the file (5 lines, one example each):
 *   1: system, user, assistant                       → valid
 *   2: system + 4 user/assistant turns               → valid
 *   3: user, assistant (no system)                   → valid
 *   4: system, assistant (no user; the guide only requires an assistant message) → valid
 *   5: system, user, assistant "Eat a banana!" × 2000 → valid under 16,385 tokens (≈8,030), but over 4,096
 * The cookbook notebook that ships with this file reports the same: "Num examples: 5", "No errors found",
 * max 8032 tokens per example (cl100k_base) and "1 examples may be over the 4096 token limit".
 */
describe('OpenAI cookbook toy_chat_fine_tuning.jsonl', () => {
  test('all 5 examples are accepted with the default 16,385-token limit', async () => {
    const r = await run(createReadStream(FIXTURE, { highWaterMark: 1024 }), 'toy_chat_fine_tuning.jsonl');
    expect(r.report.format).toBe('jsonl');
    expect([r.report.accepted, r.report.rejected]).toEqual([5, 0]);
    expect(r.report.errors).toEqual([]);
    expect(r.report.bytes).toBe(27385);
    expect(r.records.map((rec) => rec.messages.length)).toEqual([3, 9, 2, 2, 3]);
    expect(r.records[3]?.messages.map((m) => m.role)).toEqual(['system', 'assistant']);
  });

  test("with the guide's older 4,096-token limit, only the banana example (line 5) is rejected", async () => {
    const r = await run(createReadStream(FIXTURE), 'toy_chat_fine_tuning.jsonl', { tokenLimit: 4096 });
    expect([r.report.accepted, r.report.rejected]).toEqual([4, 1]);
    expect(r.report.errors.map((e) => `${e.line}:${e.code}`)).toEqual(['5:token_limit_exceeded']);
  });

  test('the banana example is about 8,000 tokens', () => {
    const line5 = readFileSync(FIXTURE, 'utf8').split('\n')[4] ?? '';
    const tokens = exampleTokens((JSON.parse(line5) as { messages: Record<string, unknown>[] }).messages);
    expect(tokens).toBeGreaterThan(8000);
    expect(tokens).toBeLessThan(8100);
  });
});
