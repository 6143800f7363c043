/**
 * Issue 8 "What was seen", data side: real discord.js against the emulator, the real app, the fake
 * OpenAI server. Each test is one seen problem: hand-typed "@<snowflake>" breaking capture,
 * !train failing half-way on IDs, !correct writing then failing, personal data stored verbatim,
 * several attachments, dataset names and listings, shutdown during a large !train.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import yauzl from 'yauzl';
import { checkChatRecord, checkPreferenceRecord } from '../../src/datasets/validate.js';
import { startHarness, mention, PROJECT_ROOT, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250 } } });
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  await h.close();
});

type Attachment = { name: string; data: Buffer; contentType?: string };
type Rec = { messages: { role: string; content: string; name?: string; weight?: number }[] };
const say = (userId: string, content: string, opts: { attachments?: Attachment[]; replyTo?: string } = {}) =>
  h.emu.userSays({ channelId: h.general.id, userId, content, ...opts });
const replyTo = (id: string, timeoutMs = 20_000) => h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === id, { timeoutMs });
const run = async (userId: string, content: string, attachments?: Attachment[]) => replyTo(say(userId, content, { attachments }).id);
const repliesTo = (id: string) => h.emu.botMessages(h.general.id).filter((m) => m.replyTo === id);
const ds = (name: string, file: string) => path.join(h.dataDir, 'datasets', name, file);
async function lines<T = Rec>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}
const jsonl = (records: unknown[]) => Buffer.from(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
const pair = (q: string, a: string, name?: string) => ({
  messages: [
    { role: 'user', content: q, ...(name ? { name } : {}) },
    { role: 'assistant', content: a },
  ],
});

async function ask(userId: string, question: string, answer: string) {
  h.llm!.queue({ text: answer });
  const msg = say(userId, mention(h.emu.botUser.id, question));
  const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content === answer);
  return h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { label: 'feedback buttons' });
}
function clickUp(messageId: string) {
  const click = h.emu.clickButton({
    customId: 'eos:fb:up',
    userId: h.bob.id,
    channelId: h.general.id,
    guildId: h.guild.id,
    messageId: messageId,
  });
  return h.emu
    .waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === click.id))
    .then((x) => x.data as { content?: string });
}

/** Every dataset file of a dataset passes the one validator. */
async function expectValid(name: string): Promise<void> {
  for (const r of await lines(ds(name, 'positive.jsonl'))) expect(checkChatRecord(r)).toEqual([]);
  for (const r of await lines(ds(name, 'negative.jsonl'))) expect(checkChatRecord(r)).toEqual([]);
  for (const r of await lines(ds(name, 'preference.jsonl'))) expect(checkPreferenceRecord(r)).toEqual([]);
}

describe('a hand-typed "@<snowflake>" in a channel', () => {
  test('does not break capture: the next reply can still be rated and is stored with "@user"', async () => {
    say(h.alice.id, 'did you see what @400000000000000002 wrote?');
    const r = await ask(h.alice.id, 'what do you think?', 'I think it is fine.');
    await clickUp(r.id);
    const pos = await until(async () => {
      const got = await lines(ds('default', 'positive.jsonl'));
      return got.some((x) => x.messages.at(-1)?.content === 'I think it is fine.') ? got : undefined;
    }, 'positive record');
    const text = JSON.stringify(pos);
    expect(text).not.toMatch(/\d{15}/);
    const r2 = await ask(h.bob.id, 'and now?', 'Still fine.');
    const c = say(h.bob.id, '!correct the answer is @400000000000000002', { replyTo: r2.id });
    expect((await replyTo(c.id)).content).toMatch(/^Correction saved/);
    const prefs = await lines<{ preferred_output: { content: string }[] }>(ds('default', 'preference.jsonl'));
    expect(prefs.at(-1)?.preferred_output[0]?.content).toBe('the answer is @user');
    await expectValid('default');
  });
});

describe('!train of a file with IDs', () => {
  test('"@<snowflake>" and all-digit names are scrubbed, not fatal: all 600 added once; a resend adds nothing; `dataset validate` agrees', async () => {
    const records = Array.from({ length: 600 }, (_, i) => pair(`question ${i}`, `answer ${i}`));
    records[520] = pair('ping @123456789012345678 please', 'pong', '123456789012345678');
    const data = jsonl(records);
    await run(h.owner.id, '!select_dataset ids');
    let r = await run(h.alice.id, '!train positive', [{ name: 'ids.jsonl', data }]);
    expect(r.content).toMatch(/^Added 600 examples to \*\*ids\*\* \(positive\)\.$/);
    const stored = await lines(ds('ids', 'positive.jsonl'));
    expect(stored).toHaveLength(600);
    expect(stored[520]).toEqual(pair('ping @user please', 'pong'));
    r = await run(h.alice.id, '!train positive', [{ name: 'ids.jsonl', data }]);
    expect(r.content).toMatch(/Nothing added to \*\*ids\*\* \(positive\)\. 600 examples were already stored and skipped\./);
    expect(await lines(ds('ids', 'positive.jsonl'))).toHaveLength(600);
    const file = path.join(await import('node:fs/promises').then((f) => f.mkdtemp(path.join(tmpdir(), 'eos-val-'))), 'ids.jsonl');
    await writeFile(
      file,
      Buffer.concat([
        data,
        jsonl([
          {
            messages: [
              { role: 'assistant', content: 'a' },
              { role: 'user', content: 'ends with user' },
            ],
          },
        ]),
      ]),
    );
    const cli = await runCli(['dataset', 'validate', file], h.dataDir);
    expect(cli.out).toMatch(/600 valid, 1 rejected/);
    expect(cli.out).toMatch(/line 601: last_message_not_assistant/);
    await expectValid('ids');
  }, 60_000);
});

describe('several attachments', () => {
  test('each gets its own report; one over the limit hides nothing; records ending with a user turn are refused by line', async () => {
    await run(h.owner.id, '!select_dataset multi');
    const good = jsonl([pair('a', 'b'), pair('c', 'd')]);
    const endsWithUser = jsonl([
      pair('e', 'f'),
      {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'x' },
          { role: 'user', content: 'dangling' },
        ],
      },
    ]);
    const huge = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    const msg = say(h.alice.id, '!train positive', {
      attachments: [
        { name: 'good.jsonl', data: good },
        { name: 'huge.jsonl', data: huge },
        { name: 'tail.jsonl', data: endsWithUser },
      ],
    });
    const replies = await h.emu.waitFor(() => (repliesTo(msg.id).length >= 3 ? repliesTo(msg.id) : undefined), {
      label: '3 reports',
      timeoutMs: 30_000,
    });
    const text = replies.map((m) => m.content).join('\n');
    expect(text).toMatch(/`good.jsonl`: Added 2 examples to \*\*multi\*\* \(positive\)\./);
    expect(text).toMatch(/`huge.jsonl`: `huge.jsonl` is 10485761 bytes, over the 10.0 MB limit/);
    expect(text).toMatch(
      /`tail.jsonl`: Added 1 example to \*\*multi\*\* \(positive\); rejected 1\. First errors:\n- line 2: last_message_not_assistant/,
    );
    expect(await lines(ds('multi', 'positive.jsonl'))).toHaveLength(3);
    await expectValid('multi');
  }, 60_000);
});

describe('dataset names and listings', () => {
  test('Mixed / mixed / MIXED are one dataset; all, CON, nul are refused clearly', async () => {
    let r = await run(h.owner.id, '!select_dataset Mixed');
    expect(r.content).toMatch(/^\*\*Mixed\*\* is now the active dataset \(new\)/);
    r = await run(h.owner.id, '!select_dataset mixed');
    expect(r.content).toMatch(/^\*\*Mixed\*\* is now the active dataset;/);
    r = await run(h.owner.id, '!select_dataset MIXED');
    expect(r.content).toMatch(/^\*\*Mixed\*\* is now the active dataset;/);
    const dirs = (await readdir(path.join(h.dataDir, 'datasets'))).filter((n) => n.toLowerCase() === 'mixed');
    expect(dirs).toEqual(['Mixed']);
    for (const bad of ['all', 'CON', 'nul', 'LPT1']) {
      r = await run(h.owner.id, `!select_dataset ${bad}`);
      expect(r.content, bad).toMatch(/reserved word/);
    }
    expect((await readdir(path.join(h.dataDir, 'datasets'))).map((n) => n.toLowerCase())).not.toContain('con');
  });

  test('!select_dataset does not archive an empty dataset; !archive of an empty one says so', async () => {
    await run(h.owner.id, '!select_dataset empty1');
    const before = await readdir(path.join(h.dataDir, 'archives')).catch(() => [] as string[]);
    const r = await run(h.owner.id, '!select_dataset empty2');
    expect(r.content).not.toMatch(/archived/);
    expect(await readdir(path.join(h.dataDir, 'archives')).catch(() => [] as string[])).toEqual(before);
    const a = await run(h.owner.id, '!archive empty2');
    expect(a.content).toBe('**empty2** is empty: there is nothing to archive yet.');
    expect(a.attachments).toHaveLength(0);
  });

  test('!datasets stays under 2000 characters with many datasets, says "…and N more", and always shows the active one', async () => {
    const root = path.join(h.dataDir, 'datasets');
    const { mkdir } = await import('node:fs/promises');
    for (let i = 0; i < 70; i++) await mkdir(path.join(root, `bulk-${String(i).padStart(2, '0')}-${'x'.repeat(30)}`), { recursive: true });
    await run(h.owner.id, '!select_dataset zz-last');
    const r = await run(h.alice.id, '!datasets');
    expect(r.content.length).toBeLessThanOrEqual(2000);
    expect(r.content).toMatch(/\*\*zz-last\*\* \(active\)/);
    const more = /…and (\d+) more: `!datasets 2`/.exec(r.content);
    expect(more).not.toBeNull();
    const shown = r.content.split('\n').filter((l) => l.startsWith('**')).length;
    const total = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).length;
    expect(shown + Number(more![1])).toBe(total);
    const p2 = await run(h.alice.id, '!datasets 2');
    expect(p2.content).toMatch(/\*\*zz-last\*\* \(active\)/);
    expect(p2.content).toMatch(/page 2 of/);
  });
});

describe('archives during an import', () => {
  test('a zip made while a large !train is being written holds a manifest that agrees with its files', async () => {
    await run(h.owner.id, '!select_dataset zipped');
    await run(h.alice.id, '!train positive\nUser: first\nAssistant: one');
    const data = jsonl(Array.from({ length: 9000 }, (_, i) => pair(`zip question ${i}`, `zip answer ${i}`)));
    const train = say(h.alice.id, '!train positive', { attachments: [{ name: 'big.jsonl', data }] });
    const dm = h.emu.createDM(h.owner.id);
    const seen = h.emu.botMessages(dm.id).length;
    const note = await run(h.owner.id, '!archive zipped');
    expect(note.content).toBe('📬 Sent to you by DM.');
    {
      const zipMsg = await h.emu.waitFor(
        () =>
          h.emu
            .botMessages(dm.id)
            .slice(seen)
            .find((m) => m.attachments.length > 0),
        { label: 'zip by DM' },
      );
      const files = await unzip(zipMsg.attachments[0]!.data);
      const manifest = JSON.parse(files.get('zipped/manifest.json') ?? '{}') as { counts: { positive: number } };
      const count = (files.get('zipped/positive.jsonl') ?? '').split('\n').filter(Boolean).length;
      expect(manifest.counts.positive).toBe(count);
      expect([1, 9001]).toContain(count);
      console.log(`zip during !train: ${count} records in the zip, manifest says ${manifest.counts.positive}`);
    }
    expect((await replyTo(train.id, 60_000)).content).toMatch(/^Added 9000 examples/);
  }, 90_000);
});

describe('personal data', () => {
  const EMAIL = 'alice.smith@example.com';
  const PHONE = '+1 555 123 4567';
  const ID = '987654321098765432';
  const KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
  const pii = `write to ${EMAIL} or call ${PHONE}; my id is ${ID}; key ${KEY}`;

  test('e-mails, phone numbers, bare IDs and keys never reach datasets, candidates or logs (chat, !train, !feedback)', async () => {
    await run(h.owner.id, '!select_dataset privacy');
    say(h.alice.id, pii);
    const r = await ask(h.alice.id, `remember this: ${pii}`, `Noted: ${EMAIL}, ${PHONE}.`);
    await clickUp(r.id);
    await run(h.alice.id, `!train\nUser: ${pii}\nAssistant: Sure, ${EMAIL}.`);
    await run(h.alice.id, `!feedback you leaked ${EMAIL} and ${PHONE}`);
    await until(async () => ((await lines(ds('privacy', 'positive.jsonl'))).length >= 2 ? true : undefined), 'records');
    await h.stopBot();
    const files = await collect(h.dataDir);
    const dump = (await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')))).join('\n');
    expect(dump).toContain('[email]');
    for (const secret of [EMAIL, '555 123 4567', ID, KEY]) expect(dump, secret).not.toContain(secret);
    await expectValid('privacy');
  }, 60_000);
});

/** Polls an async condition until it gives a value (emulator.waitFor takes sync predicates only). */
async function until<T>(fn: () => Promise<T | undefined>, label: string, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function unzip(data: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const files = new Map<string, string>();
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2 ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(e.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function collect(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !['archives', 'logs'].includes(e.name)) out.push(...(await collect(p)));
    else if (e.isFile() && /\.(jsonl|json)$/.test(e.name)) out.push(p);
  }
  return out;
}

function runCli(args: string[], dataDir: string): Promise<{ code: number | null; out: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_)/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...clean, EOS_DATA_DIR: dataDir },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}
