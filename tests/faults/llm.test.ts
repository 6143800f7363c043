/**
 * Fault: the LLM server hangs (timeout), answers 5xx or 429, or cuts a stream in the middle. The user gets one
 * short error reply within a bounded time (bounds generous enough for a loaded 2-core CI machine: they only
 * catch a reply that waits for the 20 s hang or never comes), and the next message is answered normally.
 * Faults are chosen per message (by its [qN] tag), so every SDK retry of that message meets the same fault.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness.js';
import type { ChatCompletionRequestBody, Reply } from '../llm-server/index.js';
import { lastUserText } from '../llm-server/http.js';
import { answerFor, ReplyLedger, taggedResponder, type Sent } from './replies.js';

/** Per attempt (EOS_LLM_TIMEOUT_MS, the minimum allowed) and for the whole reply (conversation.replyTimeoutMs). */
const LLM_TIMEOUT_MS = 1000;
const REPLY_TIMEOUT_MS = 4000;
/** Upper bound for the error reply: the reply timeout plus a wide margin for a slow machine. */
const BOUND_MS = REPLY_TIMEOUT_MS + 10_000;

let h: Harness;
let ledger: ReplyLedger;
const faults = new Map<number, Reply>();
const normal = taggedResponder({ chunkDelayMs: 20, chunkSize: 12 });

beforeAll(async () => {
  h = await startHarness({
    behaviour: { conversation: { streamEditIntervalMs: 250, replyTimeoutMs: REPLY_TIMEOUT_MS, userRateLimit: { count: 0 } } },
    env: { EOS_LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS) },
  });
  h.llm!.respondWith((req: ChatCompletionRequestBody) => {
    const n = Number(/\[q(\d+)\]/.exec(lastUserText(req.messages))?.[1]);
    return faults.get(n) ?? normal(req);
  });
  ledger = new ReplyLedger(h.emu);
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h?.close();
});

/** LLM requests made for message `s` (SDK retries included). */
const attemptsFor = (s: Sent) => h.llm!.chatRequests().filter((r) => lastUserText(r.messages).includes(`[q${s.n}]`)).length;

/**
 * Sends a message whose every LLM attempt meets `fault`, then one answered normally (the next message of the channel
 * is handled after it: anything late for the first has arrived by then); returns the bot's messages replying to the
 * first and the time they took.
 */
async function faulty(fault: Reply, opts: { last: (content: string) => boolean }): Promise<{ s: Sent; ms: number; texts: string[] }> {
  const started = Date.now();
  const s = ledger.say(h.general.id, h.alice.id);
  faults.set(s.n, fault);
  ledger.sent.pop();
  const last = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === s.msg.id && opts.last(m.content), {
    timeoutMs: BOUND_MS + 5000,
  });
  const ms = last.createdAt - started;
  await nextIsAnswered();
  return { s, ms, texts: ledger.repliesTo(s).map((m) => m.content) };
}

/** The next message is answered normally, once. */
async function nextIsAnswered(): Promise<void> {
  const s = ledger.say(h.general.id, h.bob.id);
  await ledger.allAnswered();
  expect(ledger.repliesTo(s).map((m) => m.content)).toEqual([answerFor(s.n)]);
}

describe('LLM faults: a short error reply in bounded time, then normal service', () => {
  test('the LLM hangs: "took too long" after the reply timeout', async () => {
    const r = await faulty({ hangMs: 20_000 }, { last: (c) => c.startsWith('Sorry') });
    expect(r.texts).toEqual(['Sorry, the language model took too long to answer. Please try again.']);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(attemptsFor(r.s)).toBeGreaterThanOrEqual(2);
  }, 40_000);

  for (const status of [500, 502, 503]) {
    test(`the LLM answers ${status} to every attempt: "couldn't reach" after the SDK's retries`, async () => {
      const r = await faulty({ status, error: `upstream ${status}` }, { last: (c) => c.startsWith('Sorry') });
      expect(r.texts).toEqual(["Sorry, I couldn't reach the language model just now. Please try again."]);
      expect(r.ms).toBeLessThan(BOUND_MS);
      expect(attemptsFor(r.s)).toBe(3);
    });
  }

  test('the LLM answers 429 to every attempt: "rate-limiting me"', async () => {
    const r = await faulty({ status: 429, error: 'Rate limit reached', retryAfterMs: 200 }, { last: (c) => c.startsWith('Sorry') });
    expect(r.texts).toEqual(['Sorry, the language model is rate-limiting me. Please try again in a moment.']);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(attemptsFor(r.s)).toBe(3);
  });

  test('one 429 then success: the SDK retries and the user sees the normal reply', async () => {
    const s = ledger.say(h.general.id, h.alice.id);
    h.llm!.queue({ status: 429, error: 'Rate limit reached', retryAfterMs: 100 });
    await ledger.allAnswered();
    expect(ledger.repliesTo(s).map((m) => m.content)).toEqual([answerFor(s.n)]);
    expect(attemptsFor(s)).toBe(2);
  });

  test('the stream is cut in the middle: the partial text stays and a cut-off note follows', async () => {
    const text = 'This answer will be cut somewhere in the middle, long before it is complete.';
    const r = await faulty({ text, cutAfterChunks: 3 }, { last: (c) => c.includes('cut off') });
    expect(r.texts).toHaveLength(2);
    expect(text.startsWith(r.texts[0]!)).toBe(true);
    expect(r.texts[0]!.length).toBeLessThan(text.length);
    expect(r.texts[1]).toBe('(My reply was cut off: the connection to the language model failed.)');
    expect(r.ms).toBeLessThan(BOUND_MS);
  });
});
