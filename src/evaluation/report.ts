/**
 * The full per-case report of a run (CLI output, and the text file attached to `!test` replies):
 * one line per case with its verdict, latency and tokens, then what failed and the judge's reasons.
 */
import { seconds } from './format.js';
import type { SuiteResult } from './types.js';

export function formatCaseTable(r: SuiteResult): string {
  const lines = [`${r.passed}/${r.total} passed on ${r.model}${r.mode ? ` (${r.mode})` : ''}, ${r.startedAt}`];
  if (r.usage) lines.push(`tokens: ${r.usage.prompt} in, ${r.usage.completion} out`);
  lines.push(`latency: p50 ${seconds(r.latency.p50)}, p95 ${seconds(r.latency.p95)}, max ${seconds(r.latency.max)}`, '');
  for (const c of r.cases) {
    const tokens = c.usage ? `${c.usage.prompt}+${c.usage.completion} tok` : '- tok';
    const label = c.name ? `#${c.index + 1} ${c.name}` : `#${c.index + 1}`;
    lines.push(`${c.passed ? 'PASS' : 'FAIL'}  ${label}  ${c.latencyMs} ms  ${tokens}`);
    for (const f of c.failures) lines.push(`      - ${f}`);
    for (const j of c.judgements ?? []) lines.push(`      judge (${j.pass ? 'pass' : 'fail'}): ${j.reason || 'no reason given'}`);
    if (!c.passed && c.error === undefined) lines.push(`      answer: ${c.output.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  return lines.join('\n');
}
