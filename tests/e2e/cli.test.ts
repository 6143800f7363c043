import { execFileSync, spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from './harness.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';

let dir: string;
let llm: FakeLlm;
const FIXTURE = path.join(PROJECT_ROOT, 'tests/fixtures/training/toy_chat_fine_tuning.jsonl');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_)/.test(k)));
  // The compiled CLI, as `npm run cli` runs it (built once in beforeAll): transpiling src/ with tsx on every
  // invocation took >15 s per command on a loaded 2-core machine.
  const child = spawn(process.execPath, ['dist/cli.js', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...clean, EOS_DATA_DIR: dir, OPENAI_BASE_URL: llm.baseURL, OPENAI_API_KEY: llm.apiKey, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  dir = await mkdtemp(path.join(tmpdir(), 'eos-cli-'));
  llm = await startFakeLlm();
  await mkdir(path.join(dir, 'datasets', 'default'), { recursive: true });
  await writeFile(path.join(dir, 'datasets', 'default', 'positive.jsonl'), await readFile(FIXTURE));
}, 180_000);
afterAll(async () => {
  expect(llm.contractViolations).toEqual([]);
  await llm.close();
});

describe('eos CLI (commander) over the same services', () => {
  test('dataset list / stats see the data folder', async () => {
    const list = await cli(['dataset', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^\* default\s+positive 5\s+negative 0\s+preference 0/m);
    const stats = await cli(['dataset', 'stats', 'default']);
    expect(stats.out).toMatch(/positive\s+5 records\s+27385 bytes/);
  }, 30_000);

  test('dataset validate: exit 0 for a clean file, 1 with line errors for a bad one', async () => {
    const ok = await cli(['dataset', 'validate', FIXTURE]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('5 valid, 0 rejected');
    const bad = path.join(dir, 'bad.jsonl');
    await writeFile(bad, '{"messages": [{"role": "user", "content": "hi"}]}\nnot json\n');
    const r = await cli(['dataset', 'validate', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/line 1: example_missing_assistant_message/);
    expect(r.out).toMatch(/line 2: invalid_json/);
  }, 30_000);

  test('dataset export writes the records', async () => {
    const out = path.join(dir, 'export.jsonl');
    const r = await cli(['dataset', 'export', 'default', '--kind', 'positive', '--out', out]);
    expect(r.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(await readFile(FIXTURE, 'utf8'));
  }, 30_000);

  test('test <file> runs the suite against the model; the exit code says whether all passed', async () => {
    const suite = path.join(dir, 'suite.json');
    await writeFile(
      suite,
      JSON.stringify([
        { input: 'ping', expected: 'echo: User: ping', match: 'exact' },
        { input: 'x', assert: [{ type: 'contains', value: 'nope' }] },
      ]),
    );
    const r = await cli(['test', suite]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/1\/2 passed/);
    expect((await readdir(path.join(dir, 'evaluations'))).length).toBe(1);
  }, 30_000);

  test('archive zips the active dataset', async () => {
    const r = await cli(['archive']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/archives\/default-\d{8}-\d{6}\.zip \(2 files/);
  }, 30_000);

  test('train start shows the dataset report and starts a paid job only with --yes; --follow runs it to the end; status and chart report it', async () => {
    const more = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `cli question ${i}` },
          { role: 'assistant', content: `cli answer ${i}` },
        ],
      }),
    );
    await appendFile(path.join(dir, 'datasets', 'default', 'positive.jsonl'), `${more.join('\n')}\n`);
    const env = { EOS_CONFIG: await trainingConfig() };
    const report = await cli(['train', 'start', 'sft'], env);
    expect(report.code).toBe(0);
    expect(report.out).toContain('Fine-tuning report: default (sft) → `fake-model`');
    expect(report.out).toContain('examples: 17 usable');
    expect(report.out).toMatch(/training tokens per epoch: ~\d+/);
    expect(report.out).toContain('Nothing started: this job is billed by the provider; run again with --yes to start it.');
    expect(llm.fineTuning.files.size).toBe(0);
    const r = await cli(['train', 'start', 'sft', '--yes', '--follow'], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/succeeded/);
    const s = await cli(['train', 'status'], env);
    expect(s.out).toMatch(/succeeded/);
    const png = path.join(dir, 'loss.png');
    const c = await cli(['train', 'chart', '-o', png], env);
    expect(c.out).toMatch(/^Wrote .*loss\.png \(\d+ bytes\)/m);
    expect((await readFile(png)).subarray(1, 4).toString('latin1')).toBe('PNG');
    const use = await cli(['train', 'use'], env);
    expect(use.out).toMatch(/^Chat model is now ft:fake-model:eos:eos:ftjob-/m);
  }, 120_000);

  test('dataset export --format sharegpt / trl writes the open trainer formats', async () => {
    const out = path.join(dir, 'share.jsonl');
    expect((await cli(['dataset', 'export', 'default', '--format', 'sharegpt', '--out', out])).code).toBe(0);
    const first = JSON.parse((await readFile(out, 'utf8')).split('\n')[0]!) as { conversations: { from: string }[] };
    expect(first.conversations.map((t) => t.from)).toContain('gpt');
    const bad = await cli(['dataset', 'export', 'default', '--format', 'alpaca']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('format is openai, trl, trl-completion, sharegpt');
  }, 60_000);
});

async function trainingConfig(): Promise<string> {
  const file = path.join(dir, 'cli.config.json');
  await writeFile(file, JSON.stringify({ training: { baseModel: 'fake-model', followIntervalSec: 0.1 } }));
  return file;
}
