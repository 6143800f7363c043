/**
 * Reads a trainer's output line by line and picks out progress and loss. Understood:
 * - JSON lines: `{"step": 10, "total_steps": 100, "loss": 1.2, "eval_loss": 1.3}` (also train_loss / valid_loss);
 * - Hugging Face Trainer log dicts (TRL, Unsloth, axolotl print them): `{'loss': 1.23, 'learning_rate': 2e-05, 'epoch': 0.5}`
 *   and `{'eval_loss': 1.1, ...}`, placed at the step of the latest progress bar (`  10/100 [00:05<00:45, ...]`);
 * - plain text `step 10/100` (any case);
 * - `EOS_SERVED_MODEL=<name>`: the name the serving endpoint will know the result by.
 */
import type { MetricPoint } from '../port.js';

export interface TrainerProgress {
  step: number | null;
  totalSteps: number | null;
  servedModel: string | null;
  metrics: MetricPoint[];
}

const BAR = /(?:^|\s|\|)(\d+)\/(\d+)\s*\[/;
const STEP_TEXT = /\bstep\s+(\d+)\s*\/\s*(\d+)/i;
const SERVED = /^EOS_SERVED_MODEL=([\w.:/@+-]{1,200})\s*$/;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A `{...}` line as JSON, or as a Python dict repr (single quotes, True/False/None, nan/inf). */
export function parseDictLine(line: string): Record<string, unknown> | null {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  for (const text of [
    t,
    t
      .replace(/'/g, '"')
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false')
      .replace(/\bNone\b|\bnan\b|-?\binf\b/g, 'null'),
  ]) {
    try {
      const v = JSON.parse(text) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // try the next reading
    }
  }
  return null;
}

export class ProgressParser {
  private step: number | null = null;
  private total: number | null = null;
  private served: string | null = null;
  private readonly points = new Map<number, MetricPoint>();
  private partial = '';

  /** Feed raw output; lines may arrive split over chunks and end in \n or \r (progress bars). */
  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  snapshot(): TrainerProgress {
    return {
      step: this.step,
      totalSteps: this.total,
      servedModel: this.served,
      metrics: [...this.points.values()].sort((a, b) => a.step - b.step),
    };
  }

  line(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    const served = SERVED.exec(line);
    if (served) {
      this.served = served[1]!;
      return;
    }
    const dict = parseDictLine(line);
    if (dict) return this.dict(dict);
    const m = STEP_TEXT.exec(line) ?? BAR.exec(line);
    if (m) this.progress(Number(m[1]), Number(m[2]));
  }

  private progress(step: number, total: number | null): void {
    if (total !== null && total > 0) this.total = total;
    this.step = step;
  }

  private dict(d: Record<string, unknown>): void {
    if ('train_runtime' in d) return; // the final summary, not a step
    const step = num(d['step']) ?? num(d['global_step']);
    if (step !== null) this.progress(step, num(d['total_steps']) ?? num(d['max_steps']));
    const train = num(d['loss']) ?? num(d['train_loss']);
    const valid = num(d['eval_loss']) ?? num(d['valid_loss']);
    if (train === null && valid === null) return;
    // Without a step (no progress bar, no "step" key) the logged lines are numbered in order.
    const at = this.step ?? (valid !== null && train === null ? Math.max(0, this.points.size) : this.points.size + 1);
    const prev = this.points.get(at);
    this.points.set(at, { step: at, trainLoss: train ?? prev?.trainLoss ?? null, validLoss: valid ?? prev?.validLoss ?? null });
  }
}

export function parseTrainerOutput(text: string): TrainerProgress {
  const p = new ProgressParser();
  p.push(text);
  p.end();
  return p.snapshot();
}
