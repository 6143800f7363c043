/**
 * The eval history chart: pass rate (0..1) per run, one line per model, runs numbered in time order on x.
 * Rendered offline to PNG by src/charts (ECharts → SVG → resvg), imported on first use so that the
 * chart libraries cost nothing until someone asks for a chart.
 */
import type { LineSeries } from '../charts/line.js';
import { shortModel } from './format.js';
import type { SuiteResult } from './types.js';

export { shortModel };

export interface HistoryChart {
  png: Buffer;
  runs: number;
  models: string[];
}

/** null when there is no run to draw. `results` in any order. */
export async function evalHistoryChart(
  results: readonly SuiteResult[],
  opts: { width?: number; height?: number } = {},
): Promise<HistoryChart | null> {
  const runs = results.filter((r) => r.total > 0).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  if (runs.length === 0) return null;
  const byModel = new Map<string, [number, number][]>();
  runs.forEach((r, i) => {
    const name = shortModel(r.model);
    const points = byModel.get(name) ?? [];
    points.push([i + 1, r.passed / r.total]);
    byModel.set(name, points);
  });
  const series: LineSeries[] = [...byModel].map(([name, points]) => ({ name, points }));
  const { renderLineChart } = await import('../charts/line.js');
  const png = renderLineChart({
    title: 'Eval history: pass rate per run',
    series,
    xLabel: `run (1 = ${runs[0]!.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${runs.length} = ${runs.at(-1)!.startedAt.slice(0, 16).replace('T', ' ')} UTC)`,
    yLabel: 'pass rate',
    yMin: 0,
    yMax: 1,
    xInteger: true,
    ...opts,
  });
  return { png, runs: runs.length, models: [...byModel.keys()] };
}
