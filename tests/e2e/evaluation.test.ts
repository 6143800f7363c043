/**
 * `!test` end to end, as a user does it in Discord: the real discord.js against the emulator, the openai
 * SDK against the fake OpenAI-compatible server (chat completions and /embeddings, contract-checked).
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ChatCompletionRequestBody } from '../llm-server/index.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ behaviour: { training: { judgeModel: 'judge-model' } } });
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

type Attachment = { name: string; data: Buffer; contentType?: string };
const say = (userId: string, content: string, attachments?: Attachment[]) =>
  h.emu.userSays({ channelId: h.general.id, userId, content, attachments });
async function run(userId: string, content: string, match = (c: string) => c.length > 0, timeoutMs = 20_000) {
  const msg = say(userId, content);
  return h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && match(m.content), { timeoutMs });
}
const text = (m: { content: unknown }) => (typeof m.content === 'string' ? m.content : '');
const lastUser = (req: ChatCompletionRequestBody) => text([...req.messages].reverse().find((m) => m.role === 'user') ?? { content: '' });
const isJudge = (req: ChatCompletionRequestBody) => text(req.messages[0] ?? { content: '' }).startsWith('You grade a chatbot answer');

describe('!test measures what users get', () => {
  test('cases go through the chat prompt (system prompt, few-shot from the memory via /embeddings); "Paris" passes "Paris is the capital."; judge with its reason; tokens and latency', async () => {
    const taught = await run(h.alice.id, '!train\nUser: What is the capital of France?\nAssistant: Paris, of course!');
    expect(taught.content).toMatch(/^Added 1 example/);
    const seen: ChatCompletionRequestBody[] = [];
    h.llm!.respondWith((req) => {
      seen.push(req);
      if (isJudge(req)) {
        const polite = /please|thank/i.test(lastUser(req).split('Answer to grade:\n')[1] ?? '');
        return { text: JSON.stringify({ pass: polite, reason: polite ? 'Thanks the user.' : 'No thanks or please anywhere.' }) };
      }
      return { text: lastUser(req).includes('capital') ? 'Paris is the capital.' : 'Sure.' };
    });
    const suite = JSON.stringify([
      { name: 'capital', input: 'Which city is the capital of France?', expected: 'Paris' },
      { name: 'manners', input: 'Can you help me?', assert: [{ type: 'judge', value: 'The answer thanks the user.' }] },
    ]);
    const r = await run(h.bob.id, `!test ${suite}`, (c) => c.includes('passed'));
    expect(r.content).toMatch(/^\*\*1\/2 passed\*\* · p50 \d+\.\d s · p95 \d+\.\d s · \d+ tokens \(\d+ in, \d+ out\)/);
    expect(r.content).toContain('chat prompt (system prompt and few-shot examples, as users get)');
    expect(r.content).toContain('`expected`: normalized match (equal to or contained in the answer');
    expect(r.content).toMatch(
      /❌ #2 manners \(\d+\.\d s, \d+ tokens\): judge "The answer thanks the user\.": fail: No thanks or please anywhere\./,
    );
    const report = r.attachments.find((a) => a.filename === 'test-report.txt');
    expect(report).toBeDefined();
    const lines = report!.data.toString('utf8');
    expect(lines).toMatch(/PASS {2}#1 capital {2}\d+ ms {2}\d+\+\d+ tok/);
    expect(lines).toContain('judge (fail): No thanks or please anywhere.');

    const capital = seen.find((q) => !isJudge(q) && lastUser(q).includes('Which city'))!;
    expect(capital.model).toBe('eos-test-model');
    expect(text(capital.messages[0]!)).toMatch(/Eos Lab/); // the server's name in the rendered system prompt
    expect(capital.messages.map((m) => [m.role, text(m)]).slice(1)).toEqual([
      ['user', 'What is the capital of France?'],
      ['assistant', 'Paris, of course!'],
      ['user', 'Bob: Which city is the capital of France?'],
    ]);
    expect(h.llm!.embeddings.calls.some((c) => c.input.includes('What is the capital of France?'))).toBe(true);
    const judged = seen.filter(isJudge);
    expect(judged.map((q) => q.model)).toEqual(['judge-model']);
  });

  test('--raw sends the case alone', async () => {
    const before = h.llm!.chatRequests().length;
    h.llm!.respondWith(() => ({ text: 'Paris' }));
    const r = await run(h.bob.id, '!test --raw [{"input": "Capital of France?", "expected": "paris"}]', (c) => c.includes('passed'));
    expect(r.content).toMatch(/^\*\*1\/1 passed\*\*/);
    expect(r.content).toContain('raw model (no system prompt or few-shot)');
    const sent = h.llm!.chatRequests().slice(before);
    expect(sent.map((q) => q.messages)).toEqual([[{ role: 'user', content: 'Capital of France?' }]]);
  });
});

describe('!test --compare and history', () => {
  test('one suite on two models: passed/total for each, fixed and broken cases; `last` runs the last suite again', async () => {
    h.llm!.respondWith((req) => {
      const q = lastUser(req);
      if (req.model === 'ft:eos-new') return { text: q.includes('2+2') ? '4' : q.includes('capital') ? 'Paris.' : 'Go away.' };
      return { text: q.includes('2+2') ? '4' : q.includes('capital') ? 'Lyon.' : 'Hello, friend!' };
    });
    const suite = JSON.stringify([
      { name: 'math', input: 'What is 2+2?', expected: '4' },
      { name: 'capital', input: 'What is the capital of France?', expected: 'Paris' },
      { name: 'greeting', input: 'Say hello', assert: [{ type: 'icontains', value: 'hello' }] },
    ]);
    const r = await run(h.bob.id, `!test --compare eos-test-model ft:eos-new ${suite}`, (c) => c.startsWith('**Compare**'));
    expect(r.content.split('\n')).toEqual([
      '**Compare** on 3 cases (chat prompt)',
      expect.stringMatching(/^`eos-test-model`: \*\*2\/3 passed\*\* · p50 \d+\.\d s · \d+ tokens$/),
      expect.stringMatching(/^`ft:eos-new`: \*\*2\/3 passed\*\* · p50 \d+\.\d s · \d+ tokens$/),
      '✅ Fixed by `ft:eos-new` (1): #2 capital',
      '❌ Broken by `ft:eos-new` (1): #3 greeting',
    ]);
    const again = await run(h.bob.id, '!test --compare ft:eos-new eos-test-model last', (c) => c.startsWith('**Compare**'));
    expect(again.content).toContain('✅ Fixed by `eos-test-model` (1): #3 greeting');
    expect(again.content).toContain('❌ Broken by `eos-test-model` (1): #2 capital');
  });

  test('bad --compare and a member over the limit get a short reply and no model call', async () => {
    const before = h.llm!.chatRequests().length;
    let r = await run(h.bob.id, '!test --compare only-one');
    expect(r.content).toMatch(/Name two models after `--compare`/);
    const eleven = JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ input: `q${i}`, expected: 'x' })));
    r = await run(h.bob.id, `!test --compare a b ${eleven}`);
    expect(r.content).toBe('Suites of more than 10 cases (when comparing two models) are for Eos admins (this one has 11).');
    expect(h.llm!.chatRequests().length).toBe(before);
  });

  test('!test history posts the pass rate per run and model as a PNG', async () => {
    const r = await run(h.bob.id, '!test history', (c) => c.startsWith('Pass rate'));
    expect(r.content).toMatch(/^Pass rate of the last \d+ run\(s\) · 2 model\(s\)/);
    const png = r.attachments.find((a) => a.filename === 'eval-history.png');
    expect(png).toBeDefined();
    const img = PNG.sync.read(png!.data);
    expect([img.width, img.height]).toEqual([800, 450]);
    let ink = 0;
    for (let i = 0; i < img.data.length; i += 4) if (img.data[i]! < 200 || img.data[i + 1]! < 200 || img.data[i + 2]! < 200) ink++;
    expect(ink).toBeGreaterThan(2000);
  });
});
