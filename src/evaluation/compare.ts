/**
 * One suite on two models: passed/total for each and the cases that changed between them
 * (fixed: failed on A, passed on B; broken: the reverse). A is the baseline ("old"), B the candidate.
 */
import { runSuite, type RunOptions } from './run.js';
import { seconds } from './format.js';
import type { ChatModel } from '../llm/port.js';
import type { CaseResult, SuiteResult, TestCase } from './types.js';

export interface Comparison {
  a: SuiteResult;
  b: SuiteResult;
  /** 0-based case indexes. */
  fixed: number[];
  broken: number[];
}

export function compareResults(a: SuiteResult, b: SuiteResult): Comparison {
  const fixed: number[] = [];
  const broken: number[] = [];
  const n = Math.min(a.cases.length, b.cases.length);
  for (let i = 0; i < n; i++) {
    const pa = a.cases[i]!.passed;
    const pb = b.cases[i]!.passed;
    if (!pa && pb) fixed.push(i);
    if (pa && !pb) broken.push(i);
  }
  return { a, b, fixed, broken };
}

/** Runs the suite on `modelA`, then on `modelB` (same options), and compares. */
export async function runComparison(
  model: ChatModel,
  suite: TestCase[],
  models: [string, string],
  opts: RunOptions = {},
): Promise<Comparison> {
  const a = await runSuite(model, suite, { ...opts, modelName: models[0] });
  const b = await runSuite(model, suite, { ...opts, modelName: models[1] });
  return compareResults(a, b);
}

const LIST_MAX = 15;
const LIMIT = 1900;

export function formatComparison(cmp: Comparison): string {
  const { a, b } = cmp;
  const lines = [
    `**Compare** on ${a.total} case${a.total === 1 ? '' : 's'}${a.mode ? ` (${a.mode === 'chat' ? 'chat prompt' : 'raw model'})` : ''}`,
    summary(a),
    summary(b),
    changed(`✅ Fixed by \`${short(b.model)}\``, cmp.fixed, b.cases),
    changed(`❌ Broken by \`${short(b.model)}\``, cmp.broken, b.cases),
  ];
  const text = lines.join('\n');
  return text.length <= LIMIT ? text : `${text.slice(0, LIMIT - 1)}…`;
}

function summary(r: SuiteResult): string {
  const tokens = r.usage ? ` · ${r.usage.prompt + r.usage.completion} tokens` : '';
  return `\`${short(r.model)}\`: **${r.passed}/${r.total} passed** · p50 ${seconds(r.latency.p50)}${tokens}`;
}

function changed(title: string, idx: number[], cases: CaseResult[]): string {
  if (idx.length === 0) return `${title}: none`;
  const names = idx.slice(0, LIST_MAX).map((i) => {
    const c = cases[i];
    const label = c?.name ? `#${i + 1} ${c.name.replace(/\s+/g, ' ').slice(0, 40)}` : `#${i + 1}`;
    return label.replace(/`/g, 'ˋ').replace(/@(everyone|here)/g, '@\u200b$1');
  });
  const more = idx.length > LIST_MAX ? ` … and ${idx.length - LIST_MAX} more` : '';
  return `${title} (${idx.length}): ${names.join(', ')}${more}`;
}

function short(model: string): string {
  return model.length > 60 ? `${model.slice(0, 59)}…` : model;
}
