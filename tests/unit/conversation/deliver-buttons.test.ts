/** deliverReply with a recording surface: when the 👍/👎 buttons ride on the reply's one send, and the pending capture around it. */
import { describe, expect, test } from 'vitest';
import pino from 'pino';
import type { ConversationConfig } from '../../../src/config.js';
import { deliverReply, type DeliveredReply } from '../../../src/conversation/deliver.js';
import { BoundedQueue } from '../../../src/conversation/queue.js';
import { FEEDBACK_BUTTONS } from '../../../src/conversation/responder.js';
import { APOLOGIES } from '../../../src/conversation/canned.js';
import type { StateStore } from '../../../src/state/store.js';
import { FakeModel } from '../../fakes/model.js';
import { FakeSurface, incoming } from '../../fakes/surface.js';

function run(answers: string[], opts: { failSend?: boolean; buttons?: boolean } = {}) {
  const surface = new FakeSurface(true);
  if (opts.failSend) surface.failSendTo.add('c1');
  const model = new FakeModel().enqueue(...answers);
  const events: string[] = [];
  const captured: (DeliveredReply & { messageId: string })[] = [];
  const config = {
    streamEditIntervalMs: 1000,
    maxReplyTokens: 256,
    replyTimeoutMs: 10_000,
    refusalRetry: true,
  } as unknown as ConversationConfig;
  const done = deliverReply({
    config,
    model,
    surface,
    state: { user: () => ({}) } as unknown as StateStore,
    queue: new BoundedQueue({ concurrency: 1, maxQueued: 1 }),
    trigger: incoming({ content: 'q' }),
    messages: [{ role: 'user', content: 'q' }],
    temperature: 0.7,
    buttons: opts.buttons === false ? undefined : FEEDBACK_BUTTONS,
    beginCapture: () => {
      events.push(`begin (sent ${surface.sent.length})`);
      return () => events.push('end');
    },
    onComplete: async (r) => {
      events.push(`capture ${r.messageId}`);
      await Promise.resolve();
      captured.push(r);
    },
    log: pino({ level: 'silent' }),
  });
  return { surface, events, captured, done };
}

describe('deliverReply: buttons on the one send', () => {
  test('a reply that ends at once is one send with its buttons and no edit; the capture is pending from before the send to its end', async () => {
    const t = run(['Paris is the capital of France.']);
    const reply = await t.done;
    expect(reply?.text).toBe('Paris is the capital of France.');
    expect(t.surface.sent).toHaveLength(1);
    expect(t.surface.sent[0]!.msg).toMatchObject({ content: 'Paris is the capital of France.', buttons: FEEDBACK_BUTTONS });
    expect(t.surface.edits).toEqual([]);
    expect(t.events).toEqual(['begin (sent 0)', 'capture m1', 'end']);
    expect(t.captured.map((c) => c.messageId)).toEqual(['m1']);
  });

  test('a send that fails ends the pending capture without capturing anything', async () => {
    const t = run(['Hello there.'], { failSend: true });
    expect(await t.done).toBeNull();
    expect(t.events).toEqual(['begin (sent 0)', 'end']);
    expect(t.captured).toEqual([]);
  });

  test('a reply longer than one message: plain sends, then the buttons by an edit of the first part after the capture', async () => {
    const long = `${'word '.repeat(300)}\n\n${'more '.repeat(300)}`.trim();
    const t = run([long]);
    await t.done;
    expect(t.surface.sent.length).toBeGreaterThan(1);
    expect(t.surface.sent.every((s) => s.msg.buttons === undefined)).toBe(true);
    expect(t.events).toEqual(['capture m1']);
    expect(t.surface.edits.at(-1)).toMatchObject({ messageId: 'm1', msg: { buttons: FEEDBACK_BUTTONS } });
  });

  test('a refusal is sent without buttons (the retry may replace it), and a canned text gets none at all', async () => {
    const refused = run(["I'm sorry, but I can't help with that.", 'Sure: the answer is 4.']);
    await refused.done;
    expect(refused.surface.sent[0]!.msg.buttons).toBeUndefined();
    expect(refused.events).toEqual(['capture m1']);
    expect(refused.surface.edits.at(-1)).toMatchObject({
      messageId: 'm1',
      msg: { content: 'Sure: the answer is 4.', buttons: FEEDBACK_BUTTONS },
    });

    const canned = run([APOLOGIES.timeout!]);
    await canned.done;
    expect(canned.surface.sent.map((s) => s.msg.buttons)).toEqual([undefined]);
    expect(canned.surface.edits).toEqual([]);
    expect(canned.events).toEqual([]);
  });

  test('without buttons (feedback buttons off) nothing is pending', async () => {
    const t = run(['Fine.'], { buttons: false });
    await t.done;
    expect(t.surface.sent[0]!.msg.buttons).toBeUndefined();
    expect(t.events).toEqual(['capture m1']);
  });
});
