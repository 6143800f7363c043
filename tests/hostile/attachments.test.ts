/**
 * Malformed attachments to `!train` and `!test` through the real bot: binary, invalid UTF-8, empty,
 * over 10 MiB, JSON nested 100 levels deep, a JSON array of 100,000 tiny items. Each gets one clear,
 * short reply, and nothing is stored (dataset files and evaluations unchanged).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness.js';
import { prng, trackRejections } from './gen.js';

let h: Harness;
const rejections = trackRejections();
beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250 } } });
  h.llm!.respondWith(() => ({ text: 'model answer' }));
});
afterAll(async () => {
  rejections.stop();
  expect(rejections.list.map(String)).toEqual([]);
  expect(h.emu.contractViolations).toEqual([]);
  await h.close();
});

const random = prng(99);
const binary = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
const invalidUtf8 = Buffer.concat([
  Buffer.from('{"messages":[{"role":"user","content":"caf'),
  Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0xed, 0xa0, 0x80]),
  Buffer.from('"},{"role":"assistant","content":"ok"}]}\n'),
]);
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepRecord = `${'{"messages":'.repeat(100)}[]${'}'.repeat(100)}`;
const tiny = `[${Array.from({ length: 100_000 }, () => '{}').join(',')}]`;

const CASES: { label: string; name: string; data: Buffer; expect: RegExp }[] = [
  { label: 'binary', name: 'examples.jsonl', data: binary, expect: /binary|UTF-8|JSON/i },
  { label: 'invalid UTF-8', name: 'examples.jsonl', data: invalidUtf8, expect: /UTF-8|encoding|JSON/i },
  { label: 'empty', name: 'empty.jsonl', data: Buffer.alloc(0), expect: /empty|no examples|nothing|JSON/i },
  { label: 'over 10 MiB', name: 'huge.jsonl', data: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20), expect: /limit|large|MB|MiB/i },
  { label: '100 levels deep (array)', name: 'deep.json', data: Buffer.from(deep(100)), expect: /deep|nest|JSON|reject|nothing/i },
  { label: '100 levels deep (object)', name: 'deep-object.json', data: Buffer.from(deepRecord), expect: /deep|nest|JSON|reject|nothing/i },
  { label: '100,000 levels deep', name: 'abyss.json', data: Buffer.from(deep(100_000)), expect: /deep|nest|JSON|reject|nothing/i },
  { label: '100,000 tiny items', name: 'tiny.json', data: Buffer.from(tiny), expect: /reject|nothing|too many|at most|limit/i },
];

type Snapshot = Record<string, number>;
async function snapshot(): Promise<Snapshot> {
  const out: Snapshot = {};
  const list = async (dir: string) =>
    (await readdir(path.join(h.dataDir, dir), { recursive: true }).catch(() => [] as string[])).map(String);
  for (const f of await list('datasets')) {
    const full = path.join(h.dataDir, 'datasets', f);
    if (f.endsWith('.jsonl')) out[`datasets/${f}`] = (await readFile(full, 'utf8')).split('\n').filter(Boolean).length;
  }
  for (const f of await list('evaluations')) out[`evaluations/${f}`] = 1;
  return out;
}

/** The router's closing log line of each finished `name` command (it is written after the command's last reply). */
const finished = (name: string) => h.logs.filter((l) => l.includes(`"command":"${name}"`) && l.includes('"outcome"')).length;

async function run(content: string, file: { name: string; data: Buffer }) {
  const name = content.slice(1);
  const done = finished(name);
  const msg = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content, attachments: [file] });
  const first = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id, { timeoutMs: 20_000 });
  await h.emu.waitFor(() => finished(name) > done, { timeoutMs: 20_000, label: `${content} finished` });
  return { first, all: h.emu.botMessages(h.general.id).filter((m) => m.replyTo === msg.id) };
}

describe.each(['!train', '!test'])('%s with a malformed attachment', (command) => {
  test.each(CASES)(
    '$label: one short, clear reply; nothing stored',
    async (c) => {
      const before = await snapshot();
      const llmBefore = h.llm!.chatRequests().length;
      const { first, all } = await run(command, c);
      expect(all, `${command} ${c.label}: replies ${JSON.stringify(all.map((m) => m.content))}`).toHaveLength(1);
      expect(first.content.length, first.content).toBeLessThanOrEqual(1000);
      // clear: no raw bytes of the upload echoed back (control characters, replacement characters)
      expect(first.content, `${command} ${c.label}`).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\ufffd]/);
      expect(first.content).not.toMatch(/Something went wrong|Running \d+ test/);
      expect(first.content, `${command} ${c.label}`).toMatch(c.expect);
      expect(first.attachments).toHaveLength(0);
      await h.app.state.flush();
      expect(await snapshot()).toEqual(before);
      expect(h.llm!.chatRequests().length).toBe(llmBefore);
    },
    30_000,
  );
});

test('the bot still answers afterwards', async () => {
  const msg = h.emu.userSays({ channelId: h.general.id, userId: h.bob.id, content: '!hi' });
  expect((await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id)).content).toMatch(/^Hi Bob!/);
});
