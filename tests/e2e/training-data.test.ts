import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import yauzl from 'yauzl';
import { startHarness, mention, PROJECT_ROOT, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    behaviour: { conversation: { streamEditIntervalMs: 250 }, training: { followIntervalSec: 0.1, baseModel: 'fake-model' } },
  });
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

type Attachment = { name: string; data: Buffer; contentType?: string };
const say = (userId: string, content: string, attachments?: Attachment[]) =>
  h.emu.userSays({ channelId: h.general.id, userId, content, attachments });
const replyTo = (id: string) => h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === id);
async function run(userId: string, content: string, attachments?: Attachment[]) {
  return await replyTo(say(userId, content, attachments).id);
}
const countLines = async (p: string) => (await readFile(p, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
const ds = (name: string, file: string) => path.join(h.dataDir, 'datasets', name, file);

describe('!train', () => {
  test('inline User:/Assistant: text goes to positive by default', async () => {
    const r = await run(
      h.alice.id,
      '!train\nUser: What is Eos?\nAssistant: A Discord bot that learns.\n\nUser: Who made you?\nAssistant: My operators.',
    );
    expect(r.content).toMatch(/^Added 2 examples? to \*\*default\*\* \(positive\)/);
    expect(await countLines(ds('default', 'positive.jsonl'))).toBe(2);
  });

  test("OpenAI's public sample file is accepted whole (5 of 5)", async () => {
    const data = await readFile(path.join(PROJECT_ROOT, 'tests/fixtures/training/toy_chat_fine_tuning.jsonl'));
    const r = await run(h.alice.id, '!train positive', [{ name: 'toy_chat_fine_tuning.jsonl', data, contentType: 'application/jsonl' }]);
    expect(r.content).toMatch(/^Added 5 examples to \*\*default\*\* \(positive\)/);
    expect(r.content).not.toMatch(/rejected [1-9]/);
    expect(await countLines(ds('default', 'positive.jsonl'))).toBe(7);
  });

  test('bad records are rejected with their line numbers; good ones kept', async () => {
    const good = JSON.stringify({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
    });
    const good2 = JSON.stringify({
      messages: [
        { role: 'user', content: 'hi again' },
        { role: 'assistant', content: 'hello again' },
      ],
    });
    const lines = [
      good,
      '{not json',
      JSON.stringify({ messages: [{ role: 'user', content: 'no answer' }] }),
      JSON.stringify({
        messages: [
          { role: 'wizard', content: 'x' },
          { role: 'assistant', content: 'y' },
        ],
      }),
      good2,
    ];
    const r = await run(h.alice.id, '!train negative', [{ name: 'mixed.jsonl', data: Buffer.from(lines.join('\n')) }]);
    expect(r.content).toMatch(/Added 2 examples to \*\*default\*\* \(negative\); rejected 3/);
    expect(r.content).toMatch(/line 2/);
    expect(r.content).toMatch(/line 3: example_missing_assistant_message/);
    expect(r.content).toMatch(/line 4: unrecognized_role/);
    expect(await countLines(ds('default', 'negative.jsonl'))).toBe(2);
  });

  test('CSV with prompt/completion columns', async () => {
    const csv = 'prompt,completion\n"What is 1+1?","2"\n"Say ""hi""","hi"\n';
    const r = await run(h.alice.id, '!train', [{ name: 'pairs.csv', data: Buffer.from(csv), contentType: 'text/csv' }]);
    expect(r.content).toMatch(/^Added 2 examples/);
  });

  test('an attachment over 10 MiB is refused before download; binary gets a clear error; nothing is lost', async () => {
    const before = await countLines(ds('default', 'positive.jsonl'));
    let r = await run(h.alice.id, '!train', [{ name: 'huge.jsonl', data: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20) }]);
    expect(r.content).toMatch(/`huge.jsonl` is 10485761 bytes, over the 10.0 MB limit/);
    r = await run(h.alice.id, '!train', [{ name: 'blob.bin', data: Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 7]) }]);
    expect(r.content).toMatch(/binary|UTF-8/i);
    expect(await countLines(ds('default', 'positive.jsonl'))).toBe(before);
  });

  test('!train with nothing explains what to give', async () => {
    const r = await run(h.alice.id, '!train');
    expect(r.content).toMatch(/Give examples after/);
  });
});

describe('!test', () => {
  test('runs a suite against the model: passed/total, failures, stored result', async () => {
    h.llm!.respondWith((req) => {
      const last = (req.messages as { content: string }[]).at(-1)!.content;
      return { text: last.includes('2+2') ? 'The answer is 4.' : 'I do not know.' };
    });
    const suite = JSON.stringify([
      { input: 'What is 2+2?', assert: [{ type: 'contains', value: '4' }] },
      { name: 'capital', input: 'Capital of Italy?', assert: [{ type: 'icontains', value: 'rome' }] },
      {
        input: 'What is 2+2?',
        assert: [
          { type: 'not-contains', value: '5' },
          { type: 'regex', value: '\\d' },
        ],
      },
    ]);
    const msg = say(h.bob.id, `!test ${suite}`);
    const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content.includes('passed'), {
      timeoutMs: 15_000,
    });
    expect(r.content).toMatch(/\*\*2\/3 passed\*\*/);
    expect(r.content).toMatch(/capital/);
    const stored = await readdir(path.join(h.dataDir, 'evaluations'));
    expect(stored.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    h.llm!.respondWith((req) => ({ text: `echo: ${(req.messages as { content: string }[]).at(-1)!.content}` }));
  });

  test('malformed JSON gets the parse error and its position', async () => {
    const r = await run(h.bob.id, '!test [{"input": "x", "expected": "y"},\n {"input": }]');
    expect(r.content).toMatch(/line 2, column \d+/);
  });

  test('a suite as an attachment', async () => {
    const suite = JSON.stringify([{ input: 'hello', expected: 'hello' }]);
    const msg = say(h.bob.id, '!test', [{ name: 'suite.json', data: Buffer.from(suite) }]);
    const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content.includes('passed'));
    expect(r.content).toMatch(/\*\*1\/1 passed\*\*/);
  });
});

describe('datasets, archives and files', () => {
  test('!select_dataset archives the previous dataset, creates and activates the new one', async () => {
    let r = await run(h.alice.id, '!select_dataset experiments negative');
    expect(r.content).toBe('Only Eos admins can use this command.');
    r = await run(h.owner.id, '!select_dataset experiments negative');
    expect(r.content).toMatch(
      /^\*\*experiments\*\* is now the active dataset \(new\); `train <text>` adds negative examples. The previous dataset \*\*default\*\* was archived first./,
    );
    expect((await readdir(path.join(h.dataDir, 'archives'))).some((f) => /^default-\d{8}-\d{6}\.zip$/.test(f))).toBe(true);
    r = await run(h.alice.id, '!train User: ping\nAssistant: pong');
    expect(r.content).toMatch(/\*\*experiments\*\* \(negative\)/);
    expect(await countLines(ds('experiments', 'negative.jsonl'))).toBe(1);
    r = await run(h.alice.id, '!datasets');
    expect(r.content).toMatch(/\*\*experiments\*\* \(active\): 0 positive, 1 negative/);
  });

  test('!select_dataset refuses a bad name', async () => {
    const r = await run(h.owner.id, '!select_dataset ../etc');
    expect(r.content).toMatch(/name/i);
  });

  // Files of admin commands used in a server channel go to the admin by DM (issue 9): the channel gets a note.
  const byDm = async (userId: string, content: string) => {
    const dm = h.emu.createDM(userId);
    const seen = h.emu.botMessages(dm.id).length;
    expect((await run(userId, content)).content).toBe('📬 Sent to you by DM.');
    return h.emu.waitFor(() =>
      h.emu
        .botMessages(dm.id)
        .slice(seen)
        .find((m) => m.attachments.length > 0),
    );
  };

  test('!archive uploads a zip holding the dataset files', async () => {
    const r = await byDm(h.owner.id, '!archive default');
    expect(r.content).toMatch(/^Archived \*\*default\*\*: `archives\/default-\d{8}-\d{6}(-\d+)?\.zip`/);
    expect(r.attachments).toHaveLength(1);
    const entries = await zipEntries(r.attachments[0]!.data);
    expect(entries).toEqual(expect.arrayContaining(['default/positive.jsonl', 'default/negative.jsonl', 'default/manifest.json']));
    const all = await byDm(h.owner.id, '!archive all');
    expect(all.content).toMatch(/^Archived 2 datasets/);
  });

  test('!getfile sends files from the data folders only, to admins only', async () => {
    let r = await byDm(h.owner.id, '!getfile datasets/default/positive.jsonl');
    expect(r.attachments[0]!.filename).toBe('positive.jsonl');
    expect(r.attachments[0]!.data.toString()).toBe(await readFile(ds('default', 'positive.jsonl'), 'utf8'));
    for (const bad of ['../package.json', 'datasets/../../package.json', '/etc/passwd', 'datasets/%2e%2e/x', 'src/app.ts']) {
      r = await run(h.owner.id, `!getfile ${bad}`);
      expect(r.content, bad).toMatch(/^I can't send that/);
      expect(r.attachments).toHaveLength(0);
    }
    r = await run(h.bob.id, '!getfile datasets/default/positive.jsonl');
    expect(r.content).toBe('Only Eos admins can use this command.');
  });
});

// Fine-tuning from Discord (report, Start button, follower, loss curve, cancel, local trainer): tests/e2e/finetune.test.ts.

function zipEntries(data: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('!test limits', () => {
  test('members may run up to 20 cases; larger suites are for admins', async () => {
    const suite = JSON.stringify(Array.from({ length: 21 }, (_, i) => ({ input: `q${i}`, expected: `echo: q${i}`, match: 'exact' })));
    const before = h.llm!.chatRequests().length;
    const r = await run(h.bob.id, `!test ${suite}`);
    expect(r.content).toBe('Suites of more than 20 cases are for Eos admins (this one has 21).');
    expect(h.llm!.chatRequests().length).toBe(before);
  });
});
