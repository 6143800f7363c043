import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { evalHistoryChart, shortModel } from '../../../src/evaluation/history.js';
import { embeddingSimilarity } from '../../../src/evaluation/grade.js';
import { runSuite } from '../../../src/evaluation/run.js';
import type { SuiteResult } from '../../../src/evaluation/types.js';
import { createOpenAiClient } from '../../../src/llm/openai-client.js';
import { createOpenAiEmbedder } from '../../../src/llm/openai-embeddings.js';
import { startFakeLlm, type FakeLlm } from '../../llm-server/index.js';
import { ScriptedModel } from './fake-model.js';

function run(model: string, startedAt: string, passed: number, total: number): SuiteResult {
  return { model, startedAt, finishedAt: startedAt, passed, total, latency: { p50: 0, p95: 0, mean: 0, max: 0 }, cases: [] };
}

describe('eval history chart', () => {
  test('a PNG of the pass rate per run and model: right size, not blank, both models drawn', async () => {
    const runs = [
      run('openai-compatible:gpt-4o-mini @ http://x/v1', '2026-01-01T10:00:00.000Z', 5, 10),
      run('ft:gpt-4o-mini:eos:1', '2026-01-02T10:00:00.000Z', 8, 10),
      run('openai-compatible:gpt-4o-mini @ http://x/v1', '2026-01-03T10:00:00.000Z', 6, 10),
      run('ft:gpt-4o-mini:eos:1', '2026-01-04T10:00:00.000Z', 9, 10),
    ];
    const chart = await evalHistoryChart(runs.reverse(), { width: 640, height: 360 });
    expect(chart).not.toBeNull();
    expect(chart!.runs).toBe(4);
    expect(chart!.models).toEqual(['gpt-4o-mini', 'ft:gpt-4o-mini:eos:1']);
    const png = PNG.sync.read(chart!.png);
    expect([png.width, png.height]).toEqual([640, 360]);
    const colours = new Set<number>();
    let nonWhite = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      if (r < 240 || g < 240 || b < 240) nonWhite++;
      colours.add((r << 16) | (g << 8) | b);
    }
    expect(nonWhite).toBeGreaterThan(2000);
    // the first two series colours of src/charts/line.ts
    expect(colours.has(0x2f6fdf)).toBe(true);
    expect(colours.has(0xe8590c)).toBe(true);
  });

  test('no runs: no chart; model names are shortened', async () => {
    expect(await evalHistoryChart([])).toBeNull();
    expect(shortModel('openai-compatible:llama3 @ http://127.0.0.1:11434/v1')).toBe('llama3');
  });
});

describe('similar by embeddings (fake server POST /v1/embeddings)', () => {
  let fake: FakeLlm;
  beforeEach(async () => {
    fake = await startFakeLlm();
  });
  afterEach(async () => {
    expect(fake.contractViolations).toEqual([]);
    await fake.close();
  });

  const embedder = () =>
    createOpenAiEmbedder({
      client: createOpenAiClient({ apiKey: fake.apiKey, baseURL: fake.baseURL, timeoutMs: 5000, maxRetries: 0 }),
      model: 'text-embedding-3-small',
    });

  test('uses the endpoint embeddings and says so; falls back to words without /embeddings', async () => {
    // Scripted meaning: both sentences about greeting map to the same vector.
    fake.embeddings.embedWith((text, dims) => {
      const v = new Array<number>(dims).fill(0);
      v[/hello|greetings|hi\b/i.test(text) ? 0 : 1] = 1;
      return v;
    });
    const model = new ScriptedModel(() => 'Greetings, friend!');
    const suite = [
      {
        input: 'q',
        assert: [
          { type: 'similar' as const, value: 'Hello there' },
          { type: 'not-similar' as const, value: 'The stock market fell' },
        ],
      },
    ];
    const sim = embeddingSimilarity(embedder());
    const r = await runSuite(model, suite, { grading: { similarity: sim } });
    expect(r.cases[0]?.failures).toEqual([]);
    expect(fake.embeddings.calls.length).toBe(2);
    fake.embeddings.enabled = false;
    const r2 = await runSuite(model, suite, { grading: { similarity: embeddingSimilarity(embedder()) } });
    expect(r2.cases[0]?.failures).toEqual([expect.stringMatching(/^similar ≥ 0\.80 to "Hello there": similarity 0\.00 \(words\)$/)]);
  });
});
