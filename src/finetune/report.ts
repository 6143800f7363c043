/** The dataset report shown before a fine-tuning job starts (Discord and CLI). */
import type { BackendInfo } from './port.js';
import type { TrainingFiles } from './training-file.js';
import type { FineTuneMethod } from './types.js';

export interface DatasetReport extends TrainingFiles {
  dataset: string;
  method: FineTuneMethod;
  backend: BackendInfo;
  baseModel: string;
  epochs: number;
  /** US dollars per 1M trained tokens; null when the backend publishes no price for this model. */
  pricePerMillion: number | null;
  /** trainingTokens × price, per epoch; null without a price. */
  costPerEpoch: number | null;
  minExamples: number;
  /** Enough training examples for the backend. */
  enough: boolean;
}

const n = (x: number) => x.toLocaleString('en-US');
const usd = (x: number) => (x < 0.01 && x > 0 ? '< $0.01' : `$${x.toFixed(2)}`);

/** Markdown lines (bold with **); the CLI strips the stars. */
export function formatDatasetReport(r: DatasetReport): string {
  const unit = r.method === 'sft' ? 'examples' : 'preference pairs';
  const lines = [
    `**Fine-tuning report**: **${r.dataset}** (${r.method}) → \`${r.baseModel}\` on ${r.backend.label}`,
    `${unit}: ${n(r.examples)} usable${r.invalid ? `, ${n(r.invalid)} invalid lines skipped` : ''}`,
    `duplicates left out: ${n(r.duplicates)}; over the ${n(r.backend.contextTokens)}-token context, left out: ${n(r.overContext)} (longest ${n(r.longestTokens)} tokens)`,
    `split: ${n(r.train)} training / ${n(r.validationCount)} validation`,
    `training tokens per epoch: ~${n(r.trainingTokens)} (× ${r.epochs} epochs = ~${n(r.trainingTokens * r.epochs)})`,
    r.costPerEpoch !== null
      ? `estimated cost: ${usd(r.costPerEpoch)} per epoch, ${usd(r.costPerEpoch * r.epochs)} for ${r.epochs} epochs (at $${r.pricePerMillion}/1M tokens)`
      : r.backend.paid
        ? 'estimated cost: no published price for this model (set training.pricePerMillionTokens to see one)'
        : 'cost: none (local trainer)',
    r.enough
      ? `minimum for this backend: ${n(r.minExamples)} ✓`
      : `**not enough data**: ${r.backend.kind} needs at least ${n(r.minExamples)} training ${unit}, this has ${n(r.train)}.`,
  ];
  return lines.join('\n');
}
