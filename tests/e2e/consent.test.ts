/**
 * Consent end to end (issue 9, item 4): recording is off until a server admin turns it on (with a
 * notice in each channel), `!optout` stops everything a user writes from being read or kept,
 * `!forget me` removes what a user contributed (datasets, conversation log, candidates, feedback)
 * through the private keyed-hash index, and all of it survives a restart.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allStoredText, readText } from './stored-text.js';
import { startHarness, mention, type Harness } from './harness.js';

let h: Harness;
let h2: Harness | null = null;
const app = () => h2 ?? h;
beforeAll(async () => {
  h = await startHarness({
    behaviour: { perServerData: true, conversation: { streamEditIntervalMs: 250 }, privacy: { recordByDefault: false } },
  });
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h2?.close();
  await h.close();
});

const say = (userId: string, content: string, channelId = h.general.id) => h.emu.userSays({ channelId, userId, content });
const replyTo = (id: string, channelId = h.general.id) => h.emu.waitForBotMessage(channelId, (m) => m.replyTo === id);
const run = async (userId: string, content: string, channelId = h.general.id) =>
  (await replyTo(say(userId, content, channelId).id, channelId)).content;
async function ask(userId: string, question: string, answer: string, channelId = h.general.id) {
  h.llm!.queue({ text: answer });
  const msg = say(userId, mention(h.emu.botUser.id, question), channelId);
  const r = await h.emu.waitForBotMessage(channelId, (m) => m.replyTo === msg.id && m.content === answer);
  return h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { label: 'reply captured' });
}
const logFile = (channelId = h.general.id) => path.join(h.dataDir, 'conversations', `${h.guild.id}_${channelId}.jsonl`);
const read = readText;
const notices = (channelId: string) => h.emu.botMessages(channelId).filter((m) => m.content.startsWith('📝 Heads-up'));
const everything = () => allStoredText(h.dataDir);

describe("recording needs the server admins' consent", () => {
  test('off by default: conversations are answered but not logged, and no notice is posted', async () => {
    await ask(h.alice.id, 'UNRECORDED-QUESTION before consent', 'Answered anyway.');
    expect(await read(logFile())).not.toContain('UNRECORDED');
    expect(notices(h.general.id)).toHaveLength(0);
    expect(await run(h.alice.id, '!privacy')).toMatch(/\*\*Recording here:\*\* off/);
  });

  test('a member cannot turn it on; an admin can, and a notice is posted in each channel once', async () => {
    expect(await run(h.alice.id, '!recording on')).toBe('Only Eos admins can use this command.');
    expect(await run(h.owner.id, '!recording on')).toMatch(/^Recording is now \*\*on\*\*/);
    expect(notices(h.general.id)).toHaveLength(1);
    await ask(h.alice.id, 'RECORDED-QUESTION after consent', 'RECORDED-ANSWER');
    await h.emu.waitFor(async () => (await read(logFile())).includes('RECORDED-ANSWER'), { label: 'logged' });
    expect(await read(logFile())).toContain('RECORDED-QUESTION');
    // #random: the first message there brings the notice, the second does not.
    await ask(h.alice.id, 'hello random', 'Hi.', h.random.id);
    await ask(h.alice.id, 'hello again random', 'Hi again.', h.random.id);
    expect(notices(h.random.id)).toHaveLength(1);
    expect(notices(h.general.id)).toHaveLength(1);
  });
});

describe('opting out', () => {
  test('after !optout nothing a user writes is read, answered, logged or put in prompts; !optin undoes it', async () => {
    expect(await run(h.bob.id, '!optout')).toMatch(/^Done: from now on I don't read/);
    say(h.bob.id, 'BOB-OPTED-OUT plain message');
    expect(await run(h.bob.id, mention(h.emu.botUser.id, 'BOB-OPTED-OUT question'))).toMatch(/^You opted out/);
    await ask(h.owner.id, 'what was said?', 'Nothing from Bob.');
    expect(JSON.stringify(h.llm!.chatRequests())).not.toContain('BOB-OPTED-OUT');
    expect(await everything()).not.toContain('BOB-OPTED-OUT');
    expect(await run(h.bob.id, '!privacy')).toMatch(/\*\*You:\*\* opted out/);
  });
});

describe('!forget me', () => {
  test('removes what a user contributed from datasets, the conversation log, candidates and feedback; others keep theirs', async () => {
    const r = await ask(h.alice.id, 'ALICE-PURPLE-ELEPHANT is my favourite animal', 'Nice choice.');
    const up = h.emu.clickButton({ customId: 'eos:fb:up', userId: h.owner.id, channelId: h.general.id, messageId: r.id });
    await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === up.id));
    await ask(h.alice.id, 'ALICE-CANDIDATE-ONLY stays a candidate', 'Unrated.');
    expect(await run(h.alice.id, '!train User: ALICE-TRAINED-Q\nAssistant: ALICE-TRAINED-A')).toMatch(/Added/);
    expect(await run(h.alice.id, '!feedback ALICE-FEEDBACK-TEXT please be shorter')).toMatch(/^Thanks! Feedback saved/);
    expect(await run(h.owner.id, '!train User: OWNER-KEEP-Q\nAssistant: OWNER-KEEP-A')).toMatch(/Added/);
    await h.emu.waitFor(async () => (await everything()).includes('ALICE-PURPLE-ELEPHANT') || undefined, { label: 'stored' });
    const before = await everything();
    for (const s of ['ALICE-PURPLE-ELEPHANT', 'ALICE-CANDIDATE-ONLY', 'ALICE-TRAINED-A', 'ALICE-FEEDBACK-TEXT'])
      expect(before).toContain(s);

    expect(await run(h.alice.id, '!forget me')).toMatch(/^Done: removed \d+ stored line\(s\)/);
    const after = await everything();
    expect(after).not.toMatch(/ALICE-/);
    expect(after).toContain('OWNER-KEEP-A');
    // The manifest agrees with the files again.
    const dir = path.join(h.dataDir, 'guilds', h.guild.id, 'datasets', 'default');
    const manifest = JSON.parse(await read(path.join(dir, 'manifest.json'))) as { counts: Record<string, number> };
    for (const [file, n] of Object.entries(manifest.counts)) {
      expect((await read(path.join(dir, `${file}.jsonl`))).split('\n').filter(Boolean).length, file).toBe(n);
    }
    // The index holds keyed hashes only: no text, no IDs.
    // The server's own index (guilds/<id>/privacy/, written by the process owning the server).
    const index = await read(path.join(h.dataDir, 'guilds', h.guild.id, 'privacy', 'contributions.jsonl'));
    expect(index.length).toBeGreaterThan(0);
    expect(index).not.toMatch(/ALICE|OWNER|Ali|Olivia/);
    for (const id of [h.alice.id, h.owner.id, h.bob.id]) expect(index).not.toContain(id);
  });
});

describe('after a restart', () => {
  test('consent, opt-out and the forget index survive; !audit shows who did what without IDs', async () => {
    await ask(h.alice.id, 'ALICE-BEFORE-RESTART words', 'Noted.');
    await h.emu.waitFor(async () => (await read(logFile())).includes('ALICE-BEFORE-RESTART') || undefined, { label: 'logged' });
    await h.stopBot();
    h2 = await startHarness({
      emu: h.emu,
      fake: h.llm!,
      dataDir: h.dataDir,
      behaviour: { perServerData: true, conversation: { streamEditIntervalMs: 250 }, privacy: { recordByDefault: false } },
    });
    expect(app().app.state.guild(h.guild.id).recording).toBe(true);
    expect(await run(h.bob.id, mention(h.emu.botUser.id, 'BOB-STILL-OUT?'))).toMatch(/^You opted out/);
    await ask(h.alice.id, 'ALICE-AFTER-RESTART words', 'Logged.');
    await h.emu.waitFor(async () => (await read(logFile())).includes('ALICE-AFTER-RESTART') || undefined, {
      label: 'logged after restart',
    });
    expect(notices(h.general.id)).toHaveLength(1);
    expect(await run(h.alice.id, '!forget me')).toMatch(/^Done: removed \d+ stored line\(s\)/);
    expect(await everything()).not.toMatch(/ALICE-(BEFORE|AFTER)-RESTART/);
    expect(await run(h.bob.id, '!optin')).toMatch(/^Welcome back/);
    await ask(h.bob.id, 'BOB-BACK question', 'Hello Bob.');
    const audit = await run(h.owner.id, '!audit');
    expect(audit).toMatch(/\*\*Olivia\*\* \([0-9a-f]{8}\): recording mode=on/);
    expect(audit).toMatch(/\*\*Ali\*\* \([0-9a-f]{8}\): forget who=me/);
    const auditFile = await read(path.join(h.dataDir, 'audit', `${h.guild.id}.jsonl`));
    for (const id of [h.alice.id, h.owner.id, h.bob.id]) expect(auditFile).not.toContain(id);
  });
});
