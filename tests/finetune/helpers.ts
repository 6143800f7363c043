/** Dataset fixtures for the fine-tuning tests. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChatRecord, PreferenceRecord } from '../../src/datasets/types.js';

export function chatRecord(i: number): ChatRecord {
  return {
    messages: [
      { role: 'system', content: 'You are Eos.' },
      { role: 'user', content: `question ${i}`, name: 'Alice' },
      { role: 'assistant', content: `answer ${i}` },
    ],
  };
}

export function preferenceRecord(i: number): PreferenceRecord {
  return {
    input: { messages: [{ role: 'user', content: `prompt ${i}` }] },
    preferred_output: [{ role: 'assistant', content: `good ${i}` }],
    non_preferred_output: [{ role: 'assistant', content: `bad ${i}` }],
  };
}

export const jsonl = (records: unknown[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');

/** A temp folder with datasets/<name>/ holding the given files; returns the dataset folder. */
export async function makeDataset(files: Record<string, string>, name = 'default'): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'eos-ft-'));
  const dir = path.join(root, 'datasets', name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), content);
  return dir;
}

const TRAINER = path.join(import.meta.dirname, 'fake-trainer.mjs');

/** The operator's trainer command, as written in eos.config.json (training.local.command), running the fake trainer. */
export function fakeTrainerCommand(control: string): string[] {
  return [
    process.execPath,
    TRAINER,
    '--train',
    '{train_file}',
    '--valid',
    '{validation_file}',
    '--out',
    '{output_dir}',
    '--model',
    '{base_model}',
    '--method',
    '{method}',
    '--control',
    control,
  ];
}
