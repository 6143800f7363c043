#!/usr/bin/env node
/**
 * A fake trainer command for the local backend's tests. It behaves like a TRL/Unsloth script as far as Eos can see:
 * reads the training (and validation) file, prints a tqdm-style progress bar and Hugging Face Trainer log dicts
 * (`{'loss': …, 'epoch': …}`, `{'eval_loss': …}`), writes something to the output folder, and exits 0 — or fails
 * with a message and exit code 1. What it does is read from control.json beside this script's --control argument:
 *   { "steps": 4, "delayMs": 20, "fail": "CUDA out of memory", "served": "name printed as EOS_SERVED_MODEL" }
 * Usage: fake-trainer.mjs --train F [--valid F] --out DIR --model M --method sft|dpo --control FILE
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1] ?? '']] : acc), []),
);
const control = args.control && existsSync(args.control) ? JSON.parse(readFileSync(args.control, 'utf8')) : {};
const steps = control.steps ?? 4;
const delay = control.delayMs ?? 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function check(file, what) {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  lines.forEach((line, i) => {
    const r = JSON.parse(line);
    const ok =
      args.method === 'dpo'
        ? Array.isArray(r.prompt) && Array.isArray(r.chosen) && Array.isArray(r.rejected)
        : Array.isArray(r.prompt) && Array.isArray(r.completion);
    if (!ok) {
      console.error(
        `ValueError: ${what} line ${i + 1} is not in the TRL conversational ${args.method === 'dpo' ? 'preference' : 'prompt-completion'} format`,
      );
      process.exit(2);
    }
  });
  return lines.length;
}

const n = check(args.train, 'train');
const v = args.valid ? check(args.valid, 'validation') : 0;
console.log(`Loading ${args.model}; ${n} training and ${v} validation examples (${args.method})`);
process.on('SIGTERM', () => {
  console.log('received SIGTERM, stopping');
  process.exit(143);
});
for (let s = 1; s <= steps; s++) {
  await sleep(delay);
  process.stderr.write(`\r ${Math.round((s / steps) * 100)}%|###| ${s}/${steps} [00:0${s}<00:00,  1.00it/s]`);
  if (control.fail && s === Math.ceil(steps / 2)) {
    console.error(`\nRuntimeError: ${control.fail}`);
    process.exit(1);
  }
  console.log(`\n{'loss': ${(2 / (1 + s)).toFixed(4)}, 'grad_norm': 1.5, 'learning_rate': 1e-05, 'epoch': ${(s / steps).toFixed(2)}}`);
  if (v > 0 && s % 2 === 0)
    console.log(`{'eval_loss': ${(2.2 / (1 + s)).toFixed(4)}, 'eval_runtime': 0.5, 'epoch': ${(s / steps).toFixed(2)}}`);
}
console.log("{'train_runtime': 1.0, 'train_samples_per_second': 4.0, 'train_loss': 0.9, 'epoch': 1.0}");
writeFileSync(path.join(args.out, 'adapter_config.json'), JSON.stringify({ base_model_name_or_path: args.model }));
if (control.served) console.log(`EOS_SERVED_MODEL=${control.served}`);
