/**
 * formatSuiteResult: the Discord reply for a finished suite, always under 2000 characters:
 *
 *   **7/9 passed** · p50 1.2 s · p95 2.0 s
 *   ❌ #3 greeting: contains "hello": not found
 *   > Hi there! How can I help?
 *
 * Failing cases follow in suite order, up to `maxFailures` (default 10) and the length budget; the
 * rest are counted on a last line. Model output is shown on one line, truncated, with backticks and
 * @everyone/@here mentions defused.
 */
import { EXPECTED_CHECKS, type CaseResult, type MatchMode, type SuiteResult } from './types.js';

export const DISCORD_LIMIT = 2000;
const OUTPUT_MAX = 160;
const NAME_MAX = 60;
const FAILURE_MAX = 200;
const FAILURES_PER_CASE = 3;

export interface FormatOptions {
  maxFailures?: number;
  /** Character budget; default (and at most) 2000 minus a small margin. */
  limit?: number;
}

export function formatSuiteResult(result: SuiteResult, opts: FormatOptions = {}): string {
  const limit = Math.min(opts.limit ?? DISCORD_LIMIT - 20, DISCORD_LIMIT - 1);
  const maxFailures = Math.max(0, opts.maxFailures ?? 10);
  const lines = [headline(result)];
  const how = checksLine(result);
  if (how) lines.push(how);
  const failing = result.cases.filter((c) => !c.passed);
  if (failing.length === 0) lines.push(result.total > 0 ? 'All cases passed.' : 'No cases were run.');
  let shown = 0;
  let used = lines.join('\n').length;
  const reserve = 60; // room for the "… and N more" line
  for (const c of failing) {
    if (shown >= maxFailures) break;
    const block = caseBlock(c);
    if (used + 1 + block.length > limit - reserve) break;
    lines.push(block);
    used += 1 + block.length;
    shown++;
  }
  const rest = failing.length - shown;
  if (rest > 0) lines.push(`… and ${rest} more failing case${rest === 1 ? '' : 's'}`);
  return clip(lines.join('\n'), limit);
}

function headline(r: SuiteResult): string {
  const errors = r.cases.filter((c) => c.error !== undefined).length;
  const parts = [`**${r.passed}/${r.total} passed**`, `p50 ${seconds(r.latency.p50)}`, `p95 ${seconds(r.latency.p95)}`];
  if (r.usage) parts.push(`${r.usage.prompt + r.usage.completion} tokens (${r.usage.prompt} in, ${r.usage.completion} out)`);
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** How the suite ran: the model, the prompt path, and what `expected` meant. */
function checksLine(r: SuiteResult): string | null {
  const parts: string[] = [];
  if (r.mode)
    parts.push(
      `\`${oneLine(shortModel(r.model), NAME_MAX)}\`, ${r.mode === 'chat' ? 'chat prompt (system prompt and few-shot examples, as users get)' : 'raw model (no system prompt or few-shot)'}`,
    );
  const modes = new Set<MatchMode>();
  for (const c of r.suite ?? []) if (c.expected !== undefined) modes.add(c.match ?? (c.threshold !== undefined ? 'similar' : 'auto'));
  if (modes.size > 0) parts.push(`\`expected\`: ${[...modes].map((m) => EXPECTED_CHECKS[m]).join('; ')}`);
  return parts.length > 0 ? `-# ${parts.join(' · ')}` : null;
}

function caseBlock(c: CaseResult): string {
  const name = c.name ? `#${c.index + 1} ${oneLine(c.name, NAME_MAX)}` : `#${c.index + 1}`;
  const cost = c.error === undefined ? ` (${seconds(c.latencyMs)}${c.usage ? `, ${c.usage.prompt + c.usage.completion} tokens` : ''})` : '';
  const label = name + cost;
  const what = c.failures.slice(0, FAILURES_PER_CASE).map((f) => oneLine(f, FAILURE_MAX));
  const more = c.failures.length - what.length;
  if (more > 0) what.push(`+${more} more`);
  const lines = [`❌ ${label}: ${what.join('; ') || 'failed'}`];
  if (c.error === undefined) lines.push(`> ${c.output.trim() === '' ? '(empty answer)' : oneLine(c.output, OUTPUT_MAX)}`);
  return lines.join('\n');
}

/** "openai-compatible:gpt-4o-mini @ https://api…" → "gpt-4o-mini". */
export function shortModel(model: string): string {
  const m = /^[\w-]+:(.+?) @ /.exec(model);
  const name = m?.[1] ?? model;
  return name.length > 40 ? `${name.slice(0, 39)}…` : name;
}

/** Seconds with one decimal: 1234 → "1.2 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function oneLine(text: string, max: number): string {
  const flat = text
    .replace(/\s+/g, ' ')
    .replace(/`/g, 'ˋ')
    .replace(/@(everyone|here)/g, '@\u200b$1')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
