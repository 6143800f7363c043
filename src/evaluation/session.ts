/**
 * What `!test` and `eos test` share: from a parsed request (suite, mode, compare) and the running
 * services to a stored result and its reply. Kept free of Discord and the CLI.
 */
import type { Embedder } from '../llm/embeddings.js';
import type { ChatModel } from '../llm/port.js';
import type { ExampleMemory } from '../memory/examples.js';
import { compareResults, type Comparison } from './compare.js';
import { embeddingSimilarity, type GradeDeps } from './grade.js';
import { createJudge } from './judge.js';
import { chatPrompt, rawPrompt, type ChatPromptOptions } from './prompt-path.js';
import { runSuite, type RunOptions } from './run.js';
import type { ResultStore } from './store.js';
import type { SuiteResult, TestCase } from './types.js';

export interface EvalDeps {
  model: ChatModel;
  store: ResultStore;
  /** Model name chat replies use (`train use`), if any. */
  chatModelName?: string;
  judgeModel?: string;
  embedder?: Embedder | null;
  concurrency: number;
  /** For the chat prompt path. */
  chat: Omit<ChatPromptOptions, 'memory'> & { memory?: ExampleMemory };
  onProgress?: RunOptions['onProgress'];
}

export interface EvalRequest {
  suite: TestCase[];
  mode: 'chat' | 'raw';
  /** [old/baseline, new/candidate] model names. */
  compare?: [string, string];
}

export type EvalOutcome =
  { kind: 'single'; result: SuiteResult; file: string } | { kind: 'compare'; comparison: Comparison; files: string[] };

export function gradingFor(deps: Pick<EvalDeps, 'model' | 'judgeModel' | 'chatModelName' | 'embedder'>): GradeDeps {
  const judgeModel = deps.judgeModel || deps.chatModelName;
  return {
    judge: createJudge(deps.model, judgeModel || undefined),
    ...(deps.embedder ? { similarity: embeddingSimilarity(deps.embedder) } : {}),
  };
}

export async function evaluate(deps: EvalDeps, req: EvalRequest): Promise<EvalOutcome> {
  const base: RunOptions = {
    concurrency: deps.concurrency,
    prompt: req.mode === 'chat' ? chatPrompt(deps.chat) : rawPrompt(),
    mode: req.mode,
    grading: gradingFor(deps),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  const run = async (modelName: string | undefined) => {
    const result = await runSuite(deps.model, req.suite, { ...base, ...(modelName ? { modelName } : {}) });
    result.suite = req.suite;
    return { result, file: await deps.store.save(result) };
  };
  if (!req.compare) {
    const { result, file } = await run(deps.chatModelName);
    return { kind: 'single', result, file };
  }
  const a = await run(req.compare[0]);
  const b = await run(req.compare[1]);
  return { kind: 'compare', comparison: compareResults(a.result, b.result), files: [a.file, b.file] };
}
