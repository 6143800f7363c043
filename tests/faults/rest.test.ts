/**
 * Fault: Discord's REST API answers 429 (with retry_after) or 5xx (500, 502, 503) to the bot's
 * POST /channels/{id}/messages (the reply) and PATCH /channels/{id}/messages/{id} (the streamed edits).
 * Within discord.js's limits (3 retries for 5xx, waiting out retry_after for 429) the user still sees the
 * whole reply, once. A 5xx that persists beyond the retry limit does not crash the bot (vitest fails the
 * file on any unhandled rejection) and the next message is answered normally.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness.js';
import type { RecordedRequest } from '../emulator/index.js';
import { answerFor, ReplyLedger, taggedResponder, type Sent } from './replies.js';

const POST = { method: 'POST', route: '/channels/{channel_id}/messages' } as const;
const PATCH = { method: 'PATCH', route: '/channels/{channel_id}/messages/{message_id}' } as const;

let h: Harness;
let ledger: ReplyLedger;

beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250, userRateLimit: { count: 0 } } } });
  // About 600 ms of stream for a 250 ms edit interval: the reply is edited (PATCH) while it streams. At 25 ms per chunk
  // the whole answer could arrive within the first interval and go out as one send with its buttons (no PATCH at all).
  h.llm!.respondWith(taggedResponder({ chunkDelayMs: 60, chunkSize: 10 }));
  ledger = new ReplyLedger(h.emu);
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  await h?.close();
});

/** The bot's requests on a route since request index `from`, as "status" strings. */
function statuses(from: number, r: { method: string; route: string }): number[] {
  return h.emu.requests
    .slice(from)
    .filter((q: RecordedRequest) => q.method === r.method && q.route === r.route)
    .map((q) => q.status);
}

/** Sends a tagged message and waits for its complete reply, feedback buttons included (the last edit). */
async function askAndWait(): Promise<Sent> {
  const s = ledger.say(h.general.id, h.alice.id);
  await ledger.allAnswered();
  await h.emu.waitFor(() => ledger.repliesTo(s)[0]!.components.length > 0, { label: `buttons under the reply to q${s.n}` });
  return s;
}

const expectOneFinalReply = (s: Sent) => {
  const replies = ledger.repliesTo(s);
  expect(replies.map((m) => m.content)).toEqual([answerFor(s.n)]);
};

/** Each status in `codes` fails one request on `rule` in turn: the reply still arrives once, after one retry per failure. */
async function failsThenLands(rule: typeof POST | typeof PATCH, codes: number[]): Promise<void> {
  const from = h.emu.requests.length;
  for (const status of codes) h.emu.failNext({ ...rule, status });
  const s = await askAndWait();
  expectOneFinalReply(s);
  expect(statuses(from, rule).slice(0, codes.length + 1)).toEqual([...codes, 200]);
}

describe('REST faults within discord.js limits: the reply arrives once', () => {
  test('429 with retry_after on the reply POST: retried after the wait', async () => {
    const from = h.emu.requests.length;
    h.emu.failNext({ ...POST, status: 429, retryAfter: 0.4, times: 2 });
    const s = await askAndWait();
    expectOneFinalReply(s);
    const posts = h.emu.requests.slice(from).filter((q) => q.method === 'POST' && q.route === POST.route);
    expect(posts.map((q) => q.status).slice(0, 3)).toEqual([429, 429, 200]);
    // retry_after was honoured: each retry came after the announced 0.4 s.
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(350);
    expect(posts[2]!.at - posts[1]!.at).toBeGreaterThanOrEqual(350);
  });

  test('429 with retry_after on a streamed edit: the final text still lands', async () => {
    const from = h.emu.requests.length;
    h.emu.failNext({ ...PATCH, status: 429, retryAfter: 0.5, times: 1 });
    const s = await askAndWait();
    expectOneFinalReply(s);
    expect(statuses(from, PATCH)[0]).toBe(429);
    expect(statuses(from, PATCH).slice(1)).not.toContain(429);
  });

  test('500, 502 and 503 on the reply POST (3 failures = the retry limit): sent once', () => failsThenLands(POST, [500, 502, 503]));

  test('500, 502 and 503 on a streamed edit: the final text still lands', () => failsThenLands(PATCH, [503, 502, 500]));
});

describe('REST 5xx beyond the retry limit', () => {
  test('the reply POST fails 4 times: a short apology (not blaming the LLM), and the next message is answered', async () => {
    const from = h.emu.requests.length;
    h.emu.failNext({ ...POST, status: 502, times: 4 });
    const lost = ledger.say(h.general.id, h.bob.id);
    const apology = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === lost.msg.id);
    expect(statuses(from, POST).slice(0, 5)).toEqual([502, 502, 502, 502, 200]);
    expect(apology.content).toBe('Sorry, something went wrong while sending my reply. Please try again.');
    ledger.sent.splice(ledger.sent.indexOf(lost), 1);
    expectOneFinalReply(await askAndWait());
  });

  test('every POST fails (reply and apology): no crash, and the next message is answered', async () => {
    const from = h.emu.requests.length;
    h.emu.failNext({ ...POST, status: 503, times: 8 });
    const lost = ledger.say(h.general.id, h.bob.id);
    await h.emu.waitFor(() => statuses(from, POST).filter((s) => s === 503).length === 8 || undefined, { label: '8 failed POSTs' });
    await h.emu.waitFor(() => h.logs.some((l) => l.includes('apology failed')) || undefined, { label: 'apology failure logged' });
    expect(ledger.repliesTo(lost)).toEqual([]);
    ledger.sent.splice(ledger.sent.indexOf(lost), 1);
    const next = await askAndWait();
    expectOneFinalReply(next);
  });

  test('every retry of an edit fails: the partial reply is marked cut off, and the next message is answered', async () => {
    const from = h.emu.requests.length;
    h.emu.failNext({ ...PATCH, status: 500, times: 4 });
    const cut = ledger.say(h.general.id, h.bob.id);
    const note = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === cut.msg.id && m.content.includes('cut off'));
    expect(statuses(from, PATCH).slice(0, 4)).toEqual([500, 500, 500, 500]);
    expect(ledger.repliesTo(cut)).toHaveLength(2);
    expect(ledger.repliesTo(cut)[0]!.content).not.toBe(answerFor(cut.n));
    expect(note.content).not.toMatch(/language model/);
    ledger.sent.splice(ledger.sent.indexOf(cut), 1);
    const next = await askAndWait();
    expectOneFinalReply(next);
  });
});
