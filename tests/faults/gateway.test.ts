/**
 * Fault: the gateway connection drops mid-conversation, several times and in several ways (close 4000, a dead
 * socket 1006, op 7 RECONNECT, op 9 resumable INVALID_SESSION), during a streamed reply and between messages, with
 * messages sent while the bot is disconnected. The bot must resume each time, and every user message must get
 * exactly one reply (counted per replyTo), none lost, none sent twice, and one LLM call each.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness.js';
import { answerFor, ReplyLedger, taggedResponder, type Sent } from './replies.js';

let h: Harness;
let ledger: ReplyLedger;
let dm: { id: string };

beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250, userRateLimit: { count: 0 } } } });
  h.llm!.respondWith(taggedResponder({ chunkDelayMs: 25, chunkSize: 6 }));
  ledger = new ReplyLedger(h.emu);
  dm = h.emu.createDM(h.bob.id);
});
afterAll(async () => {
  await h?.close();
});

type Fault = { name: string; inject: () => void };
const faults = (): Fault[] => [
  { name: 'close 4000', inject: () => h.emu.dropGateway() },
  { name: 'dead socket 1006', inject: () => h.emu.dropGateway({ code: 1006 }) },
  { name: 'op 7 reconnect', inject: () => h.emu.sendReconnect() },
  { name: 'op 9 invalid session (resumable)', inject: () => h.emu.invalidateSession(true) },
];

/** Waits until the bot is connected again with one more RESUME than before (never a new IDENTIFY). */
async function resumed(before: number): Promise<void> {
  await h.emu.waitFor(() => h.emu.resumes > before && h.emu.connected(), { label: 'gateway resumed', timeoutMs: 15_000 });
}

/** Sends one message in #random and one in the DM (one per channel: a channel's burst is answered once by design). */
function sayElsewhere(): Sent[] {
  return [ledger.say(h.random.id, h.alice.id), ledger.say(dm.id, h.bob.id, { dm: true })];
}

describe('gateway drops mid-conversation', () => {
  test('each drop is resumed; every message gets exactly one reply, none lost, none duplicated', async () => {
    for (const [i, fault] of faults().entries()) {
      // 1. A drop while a reply is streaming in #general, with messages sent in other channels while disconnected.
      const streaming = ledger.say(h.general.id, i % 2 ? h.alice.id : h.bob.id);
      await h.emu.waitFor(() => ledger.repliesTo(streaming)[0], { label: `q${streaming.n} reply started` });
      let before = h.emu.resumes;
      fault.inject();
      expect(ledger.repliesTo(streaming)[0]!.content, `${fault.name} lands mid-stream`).not.toBe(answerFor(streaming.n));
      sayElsewhere();
      await resumed(before);
      await ledger.allAnswered();

      // 2. A drop between messages, with a message in every channel sent while disconnected.
      before = h.emu.resumes;
      fault.inject();
      ledger.say(h.general.id, h.alice.id);
      sayElsewhere();
      await resumed(before);
      await ledger.allAnswered();
    }
    // One more message per channel, answered after everything the resumes replayed: a replayed MESSAGE_CREATE
    // handled twice has had its second answer (or its second LLM call) by then, in the channel's order.
    ledger.say(h.general.id, h.alice.id);
    sayElsewhere();
    await ledger.allAnswered();
    const counts = ledger.replyCounts();
    expect(
      Object.values(counts).every((c) => c === 1),
      JSON.stringify(counts),
    ).toBe(true);
    expect(Object.keys(counts)).toHaveLength(faults().length * 6 + 3);
    expect(h.llm!.chatRequests()).toHaveLength(ledger.sent.length);
    // ... and no request's history holds a message twice (a duplicate merged into a later answer).
    let seen = 0;
    for (const req of h.llm!.chatRequests()) {
      const tags = req.messages.filter((m) => m.role === 'user').flatMap((m) => String(m.content).match(/\[q\d+\]/g) ?? []);
      expect(new Set(tags).size, tags.join(' ')).toBe(tags.length);
      seen += tags.length;
    }
    expect(seen).toBeGreaterThan(ledger.sent.length); // histories carry earlier questions too
    expect(h.emu.identifies).toBe(1);
    expect(h.emu.resumes).toBeGreaterThanOrEqual(faults().length * 2);
    expect(h.emu.contractViolations).toEqual([]);
    expect(h.llm!.contractViolations).toEqual([]);
  }, 50_000);
});
