/**
 * runSuite: sends each case to a ChatModel (`complete`, temperature 0 by default), checks the answer
 * and gathers per-case results and latency statistics. Cases run `concurrency` at a time (default 2),
 * each bounded by `timeoutMs` (default 60 s; the call's AbortSignal is fired too). A model error or
 * timeout fails that case with the error message; the suite carries on. Results keep suite order.
 */
import { LlmError, type ChatMessage, type ChatModel } from '../llm/port.js';
import { checkCase } from './assertions.js';
import { latencyStats } from './stats.js';
import type { CaseResult, SuiteResult, TestCase } from './types.js';

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
}

interface Ctx {
  model: ChatModel;
  now: () => number;
  timeoutMs: number;
  temperature: number;
  systemPrompt: string | undefined;
}

export async function runSuite(model: ChatModel, suite: TestCase[], opts: RunOptions = {}): Promise<SuiteResult> {
  const now = opts.now ?? Date.now;
  const ctx: Ctx = {
    model,
    now,
    timeoutMs: opts.timeoutMs ?? 60_000,
    temperature: opts.temperature ?? 0,
    systemPrompt: opts.systemPrompt,
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
  return {
    passed: results.filter((r) => r.passed).length,
    total: suite.length,
    latency: latencyStats(answered),
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(now()).toISOString(),
    model: model.description,
    cases: results,
  };
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
  const messages = buildMessages(c, ctx.systemPrompt);
  if (!messages) {
    const error = 'case has no "input" or "messages"';
    return { ...base, passed: false, output: '', failures: [error], latencyMs: 0, error };
  }
  const start = ctx.now();
  try {
    const output = await withTimeout(ctx.timeoutMs, (signal) =>
      ctx.model.complete(messages, { temperature: ctx.temperature, signal }),
    );
    const latencyMs = ctx.now() - start;
    const failures = checkCase(c, output);
    return { ...base, passed: failures.length === 0, output, failures, latencyMs };
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
