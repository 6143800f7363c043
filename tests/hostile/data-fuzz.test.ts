/**
 * Property test of the training data (issue 8, item 9): thousands of random and hostile strings
 * (mentions, hand-typed "@<snowflake>", bare IDs, e-mails, phone numbers, API keys, NUL, zero-width
 * only, unbalanced <think> tags, huge and RTL text) go through capture, !train (the real
 * trainFromInput with inline text), !correct, 👍/👎 and !feedback on the real training services in a
 * temp data folder. Asserted: nothing throws but a UserError; every written dataset line passes the
 * one validator; no injected personal data survives anywhere under the data folder; no rejected or
 * corrected answer is ever a trained (weight ≠ 0) assistant turn of a positive record.
 * EOS_FUZZ_SCALE scales the number of rounds (CI's 1500 at the default 1); EOS_FUZZ_SEED replays a run.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { UserError } from '../../src/core/errors.js';
import { checkChatRecord, checkPreferenceRecord } from '../../src/datasets/validate.js';
import { createStateStore } from '../../src/state/store.js';
import { trainFromInput } from '../../src/training/train-data.js';
import { buildTrainingServices } from '../../src/wiring.js';
import type { CommandContext } from '../../src/core/command.js';
import { PROJECT_ROOT } from '../e2e/harness.js';
import { fuzzCount, fuzzSeed, int, pick, prng } from './gen.js';

const SEED = fuzzSeed(8_000_008);
const ROUNDS = fuzzCount(1500); // CI's count; EOS_FUZZ_SCALE scales it
const r = prng(SEED);

type Services = Awaited<ReturnType<typeof buildTrainingServices>>;
let dataDir: string;
let svc: Services;
const injected = new Set<string>();
const rejected = new Set<string>();
const counts = { strings: 0, captures: 0, up: 0, down: 0, corrections: 0, feedback: 0, trains: 0, userErrors: 0 };

const digits = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? int(r, 1, 9) : int(r, 0, 9))).join('');
/** A piece of personal data; its exact text is remembered so the scan can look for it. */
function pii(): string {
  const kind = int(r, 0, 6);
  const value = [
    () =>
      `${pick(r, ['ann', 'bob.smith', 'x_y+tag', 'ülrich'])}${int(r, 0, 9999)}@${pick(r, ['example.com', 'mail.example.org', 'uni.example.co.uk'])}`,
    () => `+${int(r, 1, 99)} ${digits(3)} ${digits(3)} ${digits(4)}`,
    () => `(${digits(3)}) ${digits(3)}-${digits(4)}`,
    () => digits(int(r, 17, 20)),
    () =>
      `sk-${pick(r, ['', 'proj-'])}${Array.from({ length: 32 }, () => pick(r, [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789'])).join('')}`,
    () => `ghp_${Array.from({ length: 36 }, () => pick(r, [...'abcdefXYZ0123456789'])).join('')}`,
    () => `${digits(3)}-${digits(3)}-${digits(4)}`,
  ][kind]!();
  injected.add(kind === 1 ? value.slice(value.indexOf(' ') + 1) : value);
  return value;
}

const PIECES: (() => string)[] = [
  () => `<@${digits(18)}>`,
  () => `<@!${digits(19)}>`,
  () => `<@&${digits(18)}>`,
  () => `<#${digits(18)}>`,
  () => `@${digits(int(r, 15, 25))}`,
  () => '@everyone',
  () => '\u0000',
  () => '\u200b\u200b',
  () => '<think>',
  () => '</think>',
  () => '<think>hidden plan</think>',
  () => '```',
  () => '\u202e',
  () => '\r\n',
  () => '   ',
  () => '"}\n{"messages":',
  () => '\\',
  () => 'x'.repeat(int(r, 1, 3000)),
  () => 'ünïcödé 🙂👍🏽',
  () => 'User:',
  () => 'Assistant:',
  () => String.fromCharCode(int(r, 0xd800, 0xdfff)),
  pii,
  pii,
  pii,
];
/** A hostile string: 1-6 pieces mixed with words. */
function hostile(): string {
  counts.strings += 1;
  const parts: string[] = [];
  for (let i = int(r, 1, 6); i > 0; i--) parts.push(r() < 0.4 ? pick(r, ['hello', 'the answer', 'is', 'see', 'ok']) : pick(r, PIECES)());
  return parts.join(pick(r, [' ', '', '\n']));
}

function context(): { role: 'system' | 'user' | 'assistant'; content: string; name?: string }[] {
  const turns: { role: 'system' | 'user' | 'assistant'; content: string; name?: string }[] = [
    { role: 'system', content: `You are Eos. ${hostile()}` },
  ];
  for (let i = int(r, 0, 4); i > 0; i--) {
    turns.push({ role: 'user', content: hostile(), name: pick(r, ['Ann', digits(18), `<@${digits(18)}>`, '']) || undefined });
    // Earlier answers users rejected stay in the live history as context.
    if (rejected.size > 0 && r() < 0.5) turns.push({ role: 'assistant', content: pick(r, [...rejected]) });
  }
  turns.push({ role: 'user', content: hostile() });
  return turns;
}

function fakeCtx(): CommandContext {
  return {
    services: { datasets: svc.datasets } as unknown as CommandContext['services'],
    attachments: [],
    prefix: '!',
    channelId: '300000000000000001',
    message: undefined,
    log: pino({ level: 'silent' }),
    reply: async () => ({ id: 'r', channelId: '300000000000000001' }),
  } as unknown as CommandContext;
}

async function guarded(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof UserError) counts.userErrors += 1;
    else throw err;
  }
}

let seq = 0;
async function round(): Promise<void> {
  const id = String(500_000_000_000_000_000n + BigInt(++seq));
  const reply = `${hostile()} #${seq}`;
  counts.captures += 1;
  await svc.feedback.capture({ messageId: id, channelId: '300000000000000001', context: context(), reply });
  const roll = r();
  if (roll < 0.3) {
    counts.up += 1;
    await guarded(() => svc.feedback.rate(id, 'up'));
  } else if (roll < 0.5) {
    counts.down += 1;
    rejected.add(reply.trim());
    await guarded(() => svc.feedback.rate(id, 'down'));
  } else if (roll < 0.75) {
    counts.corrections += 1;
    rejected.add(reply.trim());
    await guarded(() => svc.feedback.correct(id, pick(r, [hostile(), `the answer is @${digits(18)}`, '\u0000', ' '])));
  }
  if (r() < 0.2) {
    counts.feedback += 1;
    await guarded(() => svc.feedback.feedback(r() < 0.5 ? id : null, hostile()));
  }
  if (r() < 0.15) {
    counts.trains += 1;
    const text = Array.from({ length: int(r, 1, 3) }, () => `User: ${hostile()}\nAssistant: ${hostile()}`).join('\n\n');
    await guarded(() => trainFromInput(fakeCtx(), pick(r, ['positive', 'negative'] as const), text));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eos-datafuzz-'));
  await writeFile(path.join(dataDir, 'eos.config.json'), '{}');
  const config = loadConfig({ env: { EOS_DATA_DIR: dataDir }, cwd: PROJECT_ROOT, envFile: false });
  const state = await createStateStore(config.paths.state);
  svc = await buildTrainingServices(config, state, pino({ level: 'silent' }));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out;
}

const parse = async (file: string) =>
  (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

test(`${ROUNDS} hostile rounds: no crash, every line valid, no personal data, no rejected answer trained (seed ${SEED})`, async () => {
  for (let i = 0; i < ROUNDS; i++) await round();
  await svc.datasets.flush();
  await Promise.all([svc.feedback.close(), svc.transcript.close(), svc.datasets.close()]);
  const dir = path.join(dataDir, 'datasets', 'default');
  const positive = (await parse(path.join(dir, 'positive.jsonl'))) as { messages: { role: string; content: string; weight?: number }[] }[];
  const negative = await parse(path.join(dir, 'negative.jsonl'));
  const preference = await parse(path.join(dir, 'preference.jsonl'));
  const invalid = [
    ...positive.map((x) => checkChatRecord(x)),
    ...negative.map((x) => checkChatRecord(x)),
    ...preference.map((x) => checkPreferenceRecord(x)),
  ].filter((p) => p.length > 0);
  expect(invalid).toEqual([]);
  const trainedRejected = positive.flatMap((rec) =>
    rec.messages.filter((m) => m.role === 'assistant' && m.weight !== 0 && rejected.has(m.content)),
  );
  expect(trainedRejected.map((m) => m.content.slice(0, 80))).toEqual([]);
  const texts = await Promise.all(
    (await files(dataDir)).map(async (f) => ({ f: path.relative(dataDir, f), text: await readFile(f, 'utf8') })),
  );
  const leaks = [...injected].flatMap((s) =>
    texts
      .filter((t) => t.text.includes(s))
      .map((t) => {
        const at = t.text.indexOf(s);
        return `${t.f}: ${JSON.stringify(t.text.slice(Math.max(0, at - 30), at + s.length + 30))}`;
      }),
  );
  expect(leaks).toEqual([]);
  const datasetText = (
    await Promise.all(['positive', 'negative', 'preference'].map((f) => readFile(path.join(dir, `${f}.jsonl`), 'utf8').catch(() => '')))
  ).join('');
  expect(datasetText.match(/<@[!&]?\d+>|@\d{15,}|\b\d{15,25}\b|\\u0000/g) ?? []).toEqual([]);
  console.log(
    `data-fuzz seed ${SEED}: ${ROUNDS} rounds, ${counts.strings} hostile strings, ${injected.size} PII values; captures ${counts.captures}, 👍 ${counts.up}, 👎 ${counts.down}, corrections ${counts.corrections}, !feedback ${counts.feedback}, !train ${counts.trains}, user errors ${counts.userErrors}; written: ${positive.length} positive, ${negative.length} negative, ${preference.length} preference`,
  );
  expect(positive.length + negative.length + preference.length).toBeGreaterThan(ROUNDS / 4);
}, 120_000);
