/**
 * runSuite: sends each case to a ChatModel (`complete`, temperature 0 by default) with the messages
 * `prompt` builds (prompt-path.ts: chat or raw; default raw), grades the answer (grade.ts) and gathers
 * per-case results, token usage and latency statistics. Cases run `concurrency` at a time (default 2),
 * each bounded by `timeoutMs` (default 60 s; the call's AbortSignal is fired too). A model error or
 * timeout fails that case with the error message; the suite carries on. Results keep suite order.
 */
import { LlmError, type ChatMessage, type ChatModel } from '../llm/port.js';
import { gradeCase, type GradeDeps } from './grade.js';
import { latencyStats } from './stats.js';
import type { CaseResult, SuiteResult, TestCase, TokenUsage } from './types.js';

export interface RunOptions {
  /** Cases in flight at once; default 2. */
  concurrency?: number;
  /** Per case, in ms; default 60 000. */
  timeoutMs?: number;
  /** Default 0 (as repeatable as the model allows). */
  temperature?: number;
  /** Used for cases without their own `system` and whose `messages` hold no system message. */
  systemPrompt?: string;
  /** Called after each finished case. A rejected promise or a throw is ignored. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Clock in ms (latencies, startedAt/finishedAt); default Date.now. */
  now?: () => number;
  /** Builds a case's messages (prompt-path.ts); default: the case alone plus `systemPrompt`. */
  prompt?: (c: TestCase) => Promise<ChatMessage[] | null>;
  /** Recorded as the result's `mode`. */
  mode?: 'chat' | 'raw';
  /** Model name sent with each call (compare runs, `train use`); default the adapter's. */
  modelName?: string;
  /** Judge and embedding similarity. */
  grading?: GradeDeps;
}

interface Ctx {
  model: ChatModel;
  now: () => number;
  timeoutMs: number;
  temperature: number;
  prompt: (c: TestCase) => Promise<ChatMessage[] | null>;
  modelName: string | undefined;
  grading: GradeDeps;
}

export async function runSuite(model: ChatModel, suite: TestCase[], opts: RunOptions = {}): Promise<SuiteResult> {
  const now = opts.now ?? Date.now;
  const ctx: Ctx = {
    model,
    now,
    timeoutMs: opts.timeoutMs ?? 60_000,
    temperature: opts.temperature ?? 0,
    prompt: opts.prompt ?? (async (c) => buildMessages(c, opts.systemPrompt)),
    modelName: opts.modelName,
    grading: opts.grading ?? {},
  };
  const startedAt = now();
  const results: CaseResult[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < suite.length; i = next++) {
      results[i] = await runCase(ctx, suite[i] ?? {}, i);
      notify(opts.onProgress, ++done, suite.length);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(opts.concurrency ?? 2) || 1, suite.length));
  await Promise.all(Array.from({ length: workers }, worker));
  const answered = results.filter((r) => r.error === undefined).map((r) => r.latencyMs);
  const result: SuiteResult = {
    passed: results.filter((r) => r.passed).length,
    total: suite.length,
    latency: latencyStats(answered),
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(now()).toISOString(),
    model: opts.modelName ?? model.description,
    cases: results,
  };
  if (opts.mode) result.mode = opts.mode;
  const usage = totalUsage(results);
  if (usage) result.usage = usage;
  return result;
}

function totalUsage(results: CaseResult[]): TokenUsage | undefined {
  const reported = results.filter((r) => r.usage);
  if (reported.length === 0) return undefined;
  return reported.reduce((t, r) => ({ prompt: t.prompt + r.usage!.prompt, completion: t.completion + r.usage!.completion }), {
    prompt: 0,
    completion: 0,
  });
}

/** The conversation sent for a case; null when it has neither `input` nor `messages`. */
export function buildMessages(c: TestCase, systemPrompt?: string): ChatMessage[] | null {
  const convo: ChatMessage[] = c.messages?.length
    ? c.messages.map((m) => ({ ...m }))
    : c.input !== undefined && c.input !== ''
      ? [{ role: 'user', content: c.input }]
      : [];
  if (convo.length === 0) return null;
  const system = c.system ?? (convo.some((m) => m.role === 'system') ? undefined : systemPrompt);
  return system !== undefined && system !== '' ? [{ role: 'system', content: system }, ...convo] : convo;
}

async function runCase(ctx: Ctx, c: TestCase, index: number): Promise<CaseResult> {
  const base = c.name !== undefined ? { index, name: c.name } : { index };
  const messages = await ctx.prompt(c).catch(() => null);
  if (!messages) {
    const error = 'case has no "input" or "messages"';
    return { ...base, passed: false, output: '', failures: [error], latencyMs: 0, error };
  }
  const start = ctx.now();
  let usage: TokenUsage | undefined;
  try {
    const output = await withTimeout(ctx.timeoutMs, (signal) =>
      ctx.model.complete(messages, {
        temperature: ctx.temperature,
        signal,
        ...(ctx.modelName ? { model: ctx.modelName } : {}),
        onUsage: (u) => (usage = { prompt: u.promptTokens, completion: u.completionTokens }),
      }),
    );
    const latencyMs = ctx.now() - start;
    const { failures, judgements } = await withTimeout(ctx.timeoutMs, (signal) =>
      gradeCase(c, buildMessages(c) ?? messages, output, ctx.grading, signal),
    );
    const r: CaseResult = { ...base, passed: failures.length === 0, output, failures, latencyMs };
    if (usage) r.usage = usage;
    if (judgements.length > 0) r.judgements = judgements;
    return r;
  } catch (err) {
    const latencyMs = ctx.now() - start;
    const error = err instanceof Error ? err.message || err.name : String(err);
    return { ...base, passed: false, output: '', failures: [`model error: ${error}`], latencyMs, error };
  }
}

function withTimeout<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new LlmError('timeout', `no answer within ${ms} ms`));
    }, ms);
  });
  let answer: Promise<T>;
  try {
    answer = call(ac.signal);
  } catch (err) {
    answer = Promise.reject(err);
  }
  return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
}

function notify(cb: RunOptions['onProgress'], done: number, total: number): void {
  if (!cb) return;
  try {
    const p = cb(done, total);
    if (p instanceof Promise) p.catch(() => undefined);
  } catch {
    // progress reporting must never break a run
  }
}
