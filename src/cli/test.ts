/** `eos test <file> [--compare <old> <new>] [--raw|--chat]`: the same evaluation as `!test`, printed in full. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliContext } from './context.js';
import { evaluate, formatCaseTable, formatComparison, formatSuiteResult, parseSuite, ResultStore } from '../evaluation/index.js';
import { buildEmbedder, chooseModel } from '../wiring.js';
import { JsonlExampleMemory } from '../memory/examples.js';

export interface TestCliOptions {
  compare?: string[];
  raw?: boolean;
  chat?: boolean;
}

export async function testSuite(ctx: CliContext, file: string, o: TestCliOptions = {}): Promise<number> {
  if (o.compare && o.compare.length !== 2) {
    ctx.out('--compare takes two model names: --compare <old-model> <new-model>');
    return 2;
  }
  const parsed = parseSuite(await readFile(file, 'utf8'));
  if (!parsed.ok) {
    ctx.out(parsed.error);
    return 2;
  }
  const { config } = ctx;
  const embedder = buildEmbedder(config);
  const memory = new JsonlExampleMemory(config.paths.datasets, () => ctx.datasets.activeName(), {
    embedder,
    cacheDir: path.join(config.dataDir, 'cache', 'embeddings'),
    log: ctx.log,
  });
  const mode = o.raw ? 'raw' : o.chat ? 'chat' : config.bot.training.testMode;
  const chatModelName = ctx.state.training().chatModel;
  try {
    const outcome = await evaluate(
      {
        model: chooseModel(config, memory),
        store: new ResultStore({ dir: path.join(config.dataDir, 'evaluations') }),
        ...(chatModelName ? { chatModelName } : {}),
        judgeModel: config.bot.training.judgeModel,
        embedder,
        concurrency: config.bot.training.testConcurrency,
        chat: {
          systemTemplate: config.bot.conversation.systemPrompt,
          botName: config.bot.name,
          userName: 'User',
          server: 'the command line',
          channel: 'cli',
          fewShot: config.bot.training.fewShot,
          memory,
        },
      },
      { suite: parsed.suite, mode, ...(o.compare ? { compare: [o.compare[0]!, o.compare[1]!] as [string, string] } : {}) },
    );
    if (outcome.kind === 'single') {
      ctx.out(formatSuiteResult(outcome.result, { maxFailures: 0, limit: 100_000 }).replace(/\*\*/g, '').replace(/^-# /gm, ''));
      ctx.out(formatCaseTable(outcome.result));
      ctx.out(`Saved ${outcome.file}`);
      return outcome.result.passed === outcome.result.total ? 0 : 1;
    }
    const { a, b } = outcome.comparison;
    ctx.out(formatComparison(outcome.comparison).replace(/\*\*/g, '').replace(/`/g, ''));
    ctx.out(`\n${formatCaseTable(a)}\n\n${formatCaseTable(b)}`);
    ctx.out(`Saved ${outcome.files.join(', ')}`);
    return outcome.comparison.broken.length === 0 ? 0 : 1;
  } finally {
    await memory.close();
  }
}
