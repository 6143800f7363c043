import { defineCommand } from '../core/command.js';
import { trainFromInput } from '../training/train-data.js';
import { fineTuneAction, FINE_TUNE_ACTIONS } from '../training/finetune-actions.js';

const KIND = /^(positive|negative)\b\s*/i;

export const train = defineCommand({
  name: 'train',
  description: 'Add training examples (text or attached files); `report|start|status|cancel|use|chart` manage fine-tuning.',
  usage:
    'train [positive|negative] [text] | train report|start [sft|dpo] | train confirm | train status|cancel|chart [job] | train use [model|default]',
  category: 'Training',
  options: [
    {
      name: 'text',
      description: 'positive|negative and examples, or report|start|confirm|status|cancel|use|chart',
      type: 'string',
      rest: true,
    },
    { name: 'file', description: 'JSONL, JSON array, CSV or text file of examples', type: 'attachment' },
  ],
  preconditions: ['FineTune'],
  async run(ctx) {
    const text = ((ctx.args.text as string | undefined) ?? '').trim();
    const word = text.split(/\s+/)[0]?.toLowerCase() ?? '';
    if ((FINE_TUNE_ACTIONS as readonly string[]).includes(word)) {
      await fineTuneAction(ctx, word as (typeof FINE_TUNE_ACTIONS)[number], text.slice(word.length).trim());
      return;
    }
    const kindMatch = KIND.exec(text);
    const kind =
      (kindMatch?.[1]?.toLowerCase() as 'positive' | 'negative' | undefined) ?? ctx.services.state.training().trainKind ?? 'positive';
    await trainFromInput(ctx, kind, kindMatch ? text.slice(kindMatch[0].length) : text);
  },
});
