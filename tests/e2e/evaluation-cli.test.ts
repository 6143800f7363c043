/** `npm run cli -- test <suite> [--compare <old> <new>] [--raw]`: the CLI process against the fake OpenAI-compatible server. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from './harness.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';

let dir: string;
let llm: FakeLlm;

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_)/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...clean, EOS_DATA_DIR: dir, OPENAI_BASE_URL: llm.baseURL, OPENAI_API_KEY: llm.apiKey, EOS_CHAT_MODEL: 'base-model' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'eos-cli-eval-'));
  llm = await startFakeLlm();
  await mkdir(path.join(dir, 'datasets', 'default'), { recursive: true });
  const last = (req: { messages: { role: string; content: unknown }[] }) =>
    String([...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '');
  llm.respondWith((req) => {
    const q = last(req);
    if (req.model === 'ft:new') return { text: q.includes('capital') ? 'Paris.' : 'No idea.' };
    return { text: q.includes('capital') ? 'Lyon.' : q.includes('2+2') ? 'It is 4.' : 'No idea.' };
  });
});
afterAll(async () => {
  expect(llm.contractViolations).toEqual([]);
  await llm.close();
});

describe('eos test --compare', () => {
  test('prints passed/total per model, fixed and broken cases, every case with latency and tokens; exit 1 when something broke', async () => {
    const suite = path.join(dir, 'suite.json');
    await writeFile(
      suite,
      JSON.stringify([
        { name: 'capital', input: 'capital of France?', expected: 'Paris' },
        { name: 'math', input: '2+2?', expected: '4' },
      ]),
    );
    const r = await cli(['test', suite, '--compare', 'base-model', 'ft:new']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Compare on 2 cases \(chat prompt\)\nbase-model: 1\/2 passed · p50 \d+\.\d s · \d+ tokens\nft:new: 1\/2 passed/);
    expect(r.out).toContain('✅ Fixed by ft:new (1): #1 capital');
    expect(r.out).toContain('❌ Broken by ft:new (1): #2 math');
    expect(r.out).toMatch(/PASS {2}#1 capital {2}\d+ ms {2}\d+\+\d+ tok/);
    expect((await readdir(path.join(dir, 'evaluations'))).filter((f) => f.endsWith('.json'))).toHaveLength(2);
    const models = llm.chatRequests().map((q) => q.model);
    expect(new Set(models)).toEqual(new Set(['base-model', 'ft:new']));
  }, 60_000);

  test('a bad --compare is refused with exit 2 and no model call', async () => {
    const before = llm.chatRequests().length;
    const r = await cli(['test', path.join(dir, 'suite.json'), '--compare', 'only-one']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--compare takes two model names/);
    expect(llm.chatRequests().length).toBe(before);
  }, 60_000);

  test('--raw sends the case alone', async () => {
    const suite = path.join(dir, 'raw.json');
    await writeFile(suite, JSON.stringify([{ input: '2+2?', expected: '4' }]));
    const before = llm.chatRequests().length;
    const r = await cli(['test', suite, '--raw']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1\/1 passed/);
    expect(
      llm
        .chatRequests()
        .slice(before)
        .map((q) => q.messages),
    ).toEqual([[{ role: 'user', content: '2+2?' }]]);
  }, 60_000);
});
