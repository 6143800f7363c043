/** The fine-tuning loss curve: training (and validation, when there is any) loss per step, as a PNG. */
import type { MetricPoint } from '../finetune/port.js';
import { renderLineChartAsync, type LineSeries } from './line.js';

export interface LossCurveOptions {
  title: string;
  width?: number;
  height?: number;
}

function series(name: string, points: MetricPoint[], pick: (p: MetricPoint) => number | null): LineSeries | null {
  const xy = points.flatMap((p) => {
    const y = pick(p);
    return y !== null && Number.isFinite(y) ? [[p.step, y] as const] : [];
  });
  return xy.length > 0 ? { name, points: xy } : null;
}

/** Null when there is no loss to draw. */
export async function renderLossCurve(points: readonly MetricPoint[], opts: LossCurveOptions): Promise<Buffer | null> {
  const sorted = [...points].sort((a, b) => a.step - b.step);
  const lines = [series('training loss', sorted, (p) => p.trainLoss), series('validation loss', sorted, (p) => p.validLoss)].filter(
    (s): s is LineSeries => s !== null,
  );
  if (lines.length === 0) return null;
  return renderLineChartAsync({
    title: opts.title,
    series: lines,
    xLabel: 'step',
    yLabel: 'loss',
    xInteger: true,
    width: opts.width,
    height: opts.height,
  });
}
