/**
 * A few hundred hostile messages through the real discord.js client, the Discord emulator and the
 * openai SDK against the fake LLM (which echoes the input back with pings added, like a hostile model).
 * Checked on the wire: every message request has allowed_mentions that cannot ping @everyone, @here
 * or roles; nothing was refused for length; replies per input are bounded; the bot still answers.
 * Replay a failure with EOS_FUZZ_SEED=<seed>.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness.js';
import type { EmuChannel, EmuMessage, EmuUser } from '../emulator/index.js';
import { describeInput, fuzzCount, fuzzSeed, hostileInput, pick, pingHazards, prng, trackRejections, type HostileInput } from './gen.js';
import { messageRequests, pingProblems, quiescent, refusedRequests } from './discord-checks.js';

const SEED = fuzzSeed(777);
const INPUTS = fuzzCount(240); // CI's count; EOS_FUZZ_SCALE scales it
const BATCH = 16;
const r = prng(SEED);
const rejections = trackRejections();
let h: Harness;
let users: EmuUser[];
let channels: EmuChannel[];
let roles: string[];

beforeAll(async () => {
  h = await startHarness({
    random: r,
    behaviour: {
      conversation: {
        streamEditIntervalMs: 250,
        reactionProbability: 0.05,
        replyTimeoutMs: 10_000,
        userRateLimit: { count: 6, perSeconds: 60 },
      },
    },
  });
  users = [
    h.alice,
    h.bob,
    ...Array.from({ length: 10 }, (_, i) =>
      h.emu.createUser({ username: `fuzz${i}`, globalName: pick(r, ['@everyone', '<@&1>', '‮evil', `Fuzz ${i}`]) }),
    ),
  ];
  for (const u of users.slice(2)) h.emu.addMember(h.guild.id, u.id, r() < 0.3 ? { nick: '@here' } : {});
  const otherBot = h.emu.createUser({ username: 'otherbot', bot: true });
  h.emu.addMember(h.guild.id, otherBot.id);
  users.push(otherBot);
  roles = [h.adminRole.id, h.emu.createRole(h.guild.id, { name: 'everyone-ish' }).id];
  channels = [h.general, h.random, h.emu.createChannel({ guildId: h.guild.id, name: 'fuzz' }), h.emu.createDM(h.alice.id)];
  h.llm!.respondWith((req) => {
    const last = String(req.messages.at(-1)?.content ?? '');
    const spice = pick(r, ['@everyone ', '@here ', `<@&${roles[0]}> `, '```\n', '']);
    const cap = (req.max_tokens ?? req.max_completion_tokens ?? 1024) * 4;
    return { text: `${spice}${last}`.slice(0, cap) || 'ok', chunkSize: 400 };
  });
}, 30_000);
afterAll(async () => {
  rejections.stop();
  await h.close();
});

function send(input: HostileInput): EmuMessage {
  const channel = pick(r, channels);
  const author = channel.type === 1 ? h.alice : pick(r, users);
  const addressed = r() < 0.4 && !input.content.startsWith('!');
  const content = (addressed ? `<@${h.emu.botUser.id}> ${input.content}` : input.content) || '.';
  return h.emu.userSays({ channelId: channel.id, userId: author.id, content });
}

test(`${INPUTS} hostile messages through discord.js: no crash, bounded, no pings on the wire (seed ${SEED})`, async () => {
  const problems: string[] = [];
  const ids = { users: users.map((u) => u.id), roles, channels: channels.map((c) => c.id), bot: h.emu.botUser.id };
  const start = h.emu.requests.length;
  for (let i = 0; i < INPUTS && problems.length < 20; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, INPUTS - i) }, (_, k) => ({ n: i + k, input: hostileInput(r, ids) }));
    const sent = batch.map((b) => ({ ...b, msg: send(b.input) }));
    await quiescent(h.emu);
    for (const { n, input, msg } of sent) {
      const replies = h.emu.botMessages(msg.channelId).filter((m) => m.replyTo === msg.id);
      if (replies.length > 4) problems.push(`${describeInput(n, input)}: ${replies.length} replies`);
      const conversational = !input.content.startsWith('!');
      for (const m of replies) {
        const hazards = pingHazards(m.content);
        if (conversational && hazards.length > 0) problems.push(`${describeInput(n, input)}: reply carries ${hazards.join(', ')}`);
      }
    }
  }
  const requests = messageRequests(h.emu, start);
  for (const req of requests) problems.push(...pingProblems(req));
  problems.push(...refusedRequests(h.emu, start));
  const errors = h.logs.filter((l) => /^\S+ (ERROR|FATAL)/.test(l));
  for (const e of errors.slice(0, 10)) problems.push(`error logged: ${e.slice(0, 300)}`);
  expect(problems, `seed ${SEED} (replay: EOS_FUZZ_SEED=${SEED})\n${problems.slice(0, 20).join('\n')}`).toEqual([]);
  expect(requests.length).toBeGreaterThan(INPUTS / 4);
  expect(rejections.list.map(String), `seed ${SEED}: unhandled rejections`).toEqual([]);

  // Someone who took no part in the flood: since commands share the per-user rate limit with replies (one
  // admission gate), Bob, one of the fuzzing users, is over his budget and rightly gets the rate-limit notice.
  const hi = h.emu.userSays({ channelId: h.general.id, userId: h.owner.id, content: '!hi' });
  const answer = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === hi.id);
  expect(answer.content).toMatch(/^Hi Olivia! I'm Eos/);
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
}, 120_000);
