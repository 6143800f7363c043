/** The backfill rule (docs/DATA.md): only conversation enters the history fetched after a restart. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, expect, test } from 'vitest';
import { ConversationService } from '../../../src/conversation/service.js';
import { Responder } from '../../../src/conversation/responder.js';
import { ChannelHistories } from '../../../src/conversation/history.js';
import { BoundedQueue } from '../../../src/conversation/queue.js';
import { AccessPolicy } from '../../../src/core/access.js';
import { behaviourSchema, conversationSchema } from '../../../src/config-schema.js';
import { createStateStore } from '../../../src/state/store.js';
import { FakeSurface, incoming } from '../../fakes/surface.js';
import { FakeModel } from '../../fakes/model.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

test("backfill keeps users' conversation and the bot's conversational replies only", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'eos-backfill-'));
  dirs.push(dir);
  const config = conversationSchema.parse({ backfill: 50, userRateLimit: { count: 0 } });
  const state = await createStateStore(path.join(dir, 'state', 'eos.json'));
  const surface = new FakeSurface(false);
  const botId = surface.botUser().id;
  const bot = { id: botId, username: 'eos', displayName: 'Eos', bot: true };
  const at = (i: number) => new Date(1_000_000 + i * 1000);
  surface.recent = [
    incoming({ id: 'm1', content: '?help', createdAt: at(1) }),
    incoming({ id: 'm2', content: '', author: bot, createdAt: at(2) }),
    incoming({ id: 'm3', content: '?train User: a\nAssistant: b', createdAt: at(3) }),
    incoming({ id: 'm4', content: 'Added 1 example to **default**.', author: bot, createdAt: at(4) }),
    incoming({ id: 'm5', content: '? is a question mark', createdAt: at(5) }),
    incoming({ id: 'm6', content: '>> Hello Alice!', author: bot, createdAt: at(6) }),
    incoming({ id: 'm7', content: 'part two', author: bot, createdAt: at(7) }),
    incoming({ id: 'm8', content: "Sorry, I couldn't reach the language model just now.", author: bot, createdAt: at(8) }),
    incoming({ id: 'm9', content: 'bad answer', author: bot, createdAt: at(9) }),
    incoming({
      id: 'm10',
      content: 'hi from another bot',
      author: { id: 'x', username: 'x', displayName: 'X', bot: true },
      createdAt: at(10),
    }),
    incoming({ id: 'm11', content: '   ', createdAt: at(11) }),
    incoming({ id: 'm12', content: '!help is not a command here', createdAt: at(12) }),
  ];
  const texts: Record<string, string | null> = { m6: 'Hello Alice! And more.', m7: null, m9: null };
  const histories = new ChannelHistories({ max: 50, ttlMs: 3_600_000 });
  const queue = new BoundedQueue({ concurrency: 1, maxQueued: 10 });
  const log = pino({ level: 'silent' });
  const responder = new Responder({ config, botName: 'Eos', model: new FakeModel(() => 'x'), surface, state, histories, queue, log });
  const conv = new ConversationService({
    config,
    state,
    surface,
    access: new AccessPolicy(behaviourSchema.parse({})),
    responder,
    histories,
    log,
    random: () => 1,
    replies: { historyText: (id) => texts[id] },
    prefix: () => '?',
  });
  await conv.onMessage(incoming({ id: 'm13', content: 'chatter', createdAt: at(13) }));
  expect(histories.get('c1').map((e) => [e.role, e.content])).toEqual([
    ['user', '? is a question mark'],
    ['assistant', 'Hello Alice! And more.'],
    ['user', '!help is not a command here'],
    ['user', 'chatter'],
  ]);
});
