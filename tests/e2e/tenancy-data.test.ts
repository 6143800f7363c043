/**
 * Each server owns its data (issue 9, item 1): datasets and the active dataset, the default `!train`
 * kind, ratings, few-shot examples and `!getfile` paths are per server (guilds/<id>/…); a server's
 * admins administer that server only; existing single-server data moves to its server at start.
 */
import { readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';
import type { EmuChannel, EmuGuild, EmuUser } from '../emulator/index.js';

let h: Harness;
let h2: Harness | null = null;
let guildB: EmuGuild;
let bGeneral: EmuChannel;
let carol: EmuUser;
let zed: EmuUser;

beforeAll(async () => {
  h = await startHarness({
    behaviour: { perServerData: true, conversation: { streamEditIntervalMs: 250 }, training: { fewShot: 2, fineTuneByServerAdmins: true } },
  });
  carol = h.emu.createUser({ username: 'carol', globalName: 'Carol' });
  h.emu.addMember(h.guild.id, carol.id, { roles: [h.adminRole.id] }); // A's Moderators (Manage Server)
  zed = h.emu.createUser({ username: 'zed', globalName: 'Zed' });
  guildB = h.emu.createGuild({ name: 'Other Place', ownerId: zed.id });
  bGeneral = h.emu.createChannel({ guildId: guildB.id, name: 'b-general' });
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h2?.close();
  await h.close();
});

async function run(channelId: string, userId: string, content: string) {
  const msg = h.emu.userSays({ channelId, userId, content });
  return (await h.emu.waitForBotMessage(channelId, (m) => m.replyTo === msg.id, { label: content.slice(0, 40) })).content;
}
const guildFile = (guildId: string, ...p: string[]) => path.join(h.dataDir, 'guilds', guildId, 'datasets', ...p);
const read = (f: string) => readFile(f, 'utf8').catch(() => '');
async function ask(channelId: string, userId: string, question: string, answer: string) {
  h.llm!.queue({ text: answer });
  const msg = h.emu.userSays({ channelId, userId, content: mention(h.emu.botUser.id, question) });
  const r = await h.emu.waitForBotMessage(channelId, (m) => m.replyTo === msg.id && m.content === answer);
  await h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { label: 'captured' });
  return { reply: r, prompt: JSON.stringify(h.llm!.chatRequests().at(-1)) };
}

describe('each server owns its data', () => {
  test("a server admin's !train and !select_dataset act on that server only", async () => {
    expect(await run(h.general.id, carol.id, '!select_dataset a-set negative')).toMatch(/\*\*a-set\*\* is now the active dataset/);
    expect(await run(h.general.id, carol.id, '!train User: What is the A password?\nAssistant: A-ONLY-PASSWORD')).toMatch(/a-set/);
    expect(await read(guildFile(h.guild.id, 'a-set', 'negative.jsonl'))).toContain('A-ONLY-PASSWORD');
    expect(await run(bGeneral.id, zed.id, '!train User: What is the B password?\nAssistant: B-ONLY-PASSWORD')).toMatch(/default/);
    expect(await read(guildFile(guildB.id, 'default', 'positive.jsonl'))).toContain('B-ONLY-PASSWORD');
    const listB = await run(bGeneral.id, zed.id, '!datasets');
    expect(listB).not.toContain('a-set');
    expect(await run(h.general.id, carol.id, '!datasets')).toMatch(/\*\*a-set\*\* \(active\)/);
    expect(h.app.state.guild(h.guild.id)).toMatchObject({ activeDataset: 'a-set', trainKind: 'negative' });
    expect(h.app.state.guild(guildB.id).activeDataset).toBeUndefined();
    expect(h.app.state.training().activeDataset).toBeUndefined();
  });

  test('!getfile and !archive in B reach only B; the same paths in A reach A', async () => {
    expect(await run(bGeneral.id, zed.id, '!getfile datasets/a-set/negative.jsonl')).toMatch(/^I can't send that/);
    expect(await run(bGeneral.id, zed.id, `!getfile ../${h.guild.id}/datasets/a-set/negative.jsonl`)).toMatch(/^I can't send that/);
    expect(await run(bGeneral.id, zed.id, '!getfile datasets/default/positive.jsonl')).toBe('📬 Sent to you by DM.');
    const toZed = await h.emu.waitForBotMessage(h.emu.createDM(zed.id).id, (m) => m.attachments.length > 0);
    expect(toZed.attachments[0]!.data.toString()).toContain('B-ONLY-PASSWORD');
    expect(toZed.attachments[0]!.data.toString()).not.toContain('A-ONLY');
    expect(await run(h.general.id, carol.id, '!getfile datasets/a-set/negative.jsonl')).toBe('📬 Sent to you by DM.');
    const toCarol = await h.emu.waitForBotMessage(h.emu.createDM(carol.id).id, (m) => m.attachments.length > 0);
    expect(toCarol.attachments[0]!.data.toString()).toContain('A-ONLY-PASSWORD');
    expect(await run(bGeneral.id, zed.id, '!archive all')).toMatch(/^(📬 Sent to you by DM\.|Archived)/);
    const zip = await h.emu.waitForBotMessage(h.emu.createDM(zed.id).id, (m) => m.attachments.some((a) => a.filename.endsWith('.zip')));
    expect(zip.attachments[0]!.data.toString('latin1')).not.toContain('a-set/');
  });

  test('few-shot examples and ratings stay in their server', async () => {
    const inB = await ask(bGeneral.id, zed.id, 'What is the A password?', 'I do not know.');
    expect(inB.prompt).not.toContain('A-ONLY-PASSWORD');
    await run(h.general.id, carol.id, '!select_dataset a-set positive');
    await run(h.general.id, carol.id, '!train User: What is the A password?\nAssistant: A-ONLY-PASSWORD');
    const inA = await ask(h.general.id, h.alice.id, 'What is the A password?', 'A-ONLY-PASSWORD, as trained.');
    expect(inA.prompt).toContain('A-ONLY-PASSWORD');
    const up = h.emu.clickButton({ customId: 'eos:fb:up', userId: zed.id, channelId: bGeneral.id, messageId: inB.reply.id });
    await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === up.id));
    await h.emu.waitFor(
      async () => (await read(guildFile(guildB.id, 'default', 'positive.jsonl'))).includes('I do not know.') || undefined,
      { label: "B's rating in B" },
    );
    for (const f of ['positive.jsonl', 'negative.jsonl'])
      expect(await read(guildFile(h.guild.id, 'a-set', f))).not.toContain('I do not know.');
    expect(await read(path.join(h.dataDir, 'datasets', 'default', 'positive.jsonl'))).not.toContain('I do not know.');
  });
});

describe("members' contributions wait for a server admin's review", () => {
  const pendingFile = (...p: string[]) => path.join(h.dataDir, 'guilds', h.guild.id, 'pending', ...p);
  test("a member's !train, !correct and context-menu correction wait; !review lists them with provenance; approve and reject act in bulk", async () => {
    await run(h.general.id, carol.id, '!select_dataset a-set positive');
    const added = await run(h.general.id, h.alice.id, '!train User: What is the member fact?\nAssistant: MEMBER-FACT-ANSWER');
    expect(added).toMatch(/Waiting for a server admin's review/);
    expect(await read(guildFile(h.guild.id, 'a-set', 'positive.jsonl'))).not.toContain('MEMBER-FACT-ANSWER');
    expect(await read(pendingFile('a-set', 'positive.jsonl'))).toContain('MEMBER-FACT-ANSWER');
    // It does not steer answers yet.
    const before = await ask(h.general.id, h.owner.id, 'What is the member fact?', 'Not sure.');
    expect(before.prompt).not.toContain('MEMBER-FACT-ANSWER');
    // A correction as a reply, and one through the "Correct reply" modal.
    const reply = await ask(h.general.id, h.owner.id, 'Name a colour', 'Blue.');
    const cmd = h.emu.userSays({
      channelId: h.general.id,
      userId: h.alice.id,
      content: '!correct MEMBER-CORRECTION-RED',
      replyTo: reply.reply.id,
    });
    expect((await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === cmd.id)).content).toMatch(
      /Waiting for a server admin's review/,
    );
    const other = await ask(h.general.id, h.owner.id, 'Name a fruit', 'Apple.');
    const modal = h.emu.interaction({
      name: `eos:correct:${other.reply.id}`,
      type: 5,
      customId: `eos:correct:${other.reply.id}`,
      userId: h.alice.id,
      channelId: h.general.id,
      components: [{ type: 1, components: [{ type: 4, custom_id: 'better', value: 'MEMBER-MODAL-PEAR' }] }],
    });
    await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === modal.id));
    for (const f of ['positive.jsonl', 'negative.jsonl', 'preference.jsonl'])
      expect(await read(guildFile(h.guild.id, 'a-set', f))).not.toMatch(/MEMBER-(CORRECTION|MODAL)/);
    await h.emu.waitFor(async () => (await read(pendingFile('a-set', 'preference.jsonl'))).includes('MEMBER-MODAL-PEAR') || undefined, {
      label: 'modal correction pending',
    });

    expect(await run(h.general.id, h.alice.id, '!review')).toBe('Only Eos admins can use this command.');
    expect(await run(bGeneral.id, zed.id, '!review')).toBe('Nothing waits for review.');
    const list = await run(h.general.id, carol.id, '!review');
    expect(list).toMatch(/^\d+ contribution\(s\) wait for review:/);
    expect(list).toMatch(/a-set\/positive by Ali \([0-9a-f]{8}\), train: "What is the member fact\?" → "MEMBER-FACT-ANSWER"/);
    expect(list).toMatch(/by Ali \([0-9a-f]{8}\), correction/);
    expect(list).not.toContain(h.alice.id);
    const n = /\*\*(\d+)\.\*\* a-set\/positive by Ali \([0-9a-f]{8}\), train/.exec(list)![1];
    expect(await run(h.general.id, carol.id, `!review approve ${n}`)).toMatch(/^Approved 1 contribution\(s\): 1 record\(s\) added/);
    expect(await read(guildFile(h.guild.id, 'a-set', 'positive.jsonl'))).toContain('MEMBER-FACT-ANSWER');
    const after = await ask(h.general.id, h.owner.id, 'What is the member fact?', 'MEMBER-FACT-ANSWER indeed.');
    expect(after.prompt).toContain('MEMBER-FACT-ANSWER');
    expect(await run(h.general.id, carol.id, '!review reject all')).toMatch(/^Rejected \d+ contribution\(s\)/);
    expect(await run(h.general.id, carol.id, '!review')).toBe('Nothing waits for review.');
    for (const f of ['positive.jsonl', 'negative.jsonl', 'preference.jsonl'])
      expect(await read(guildFile(h.guild.id, 'a-set', f))).not.toMatch(/MEMBER-(CORRECTION|MODAL)/);
  });

  test('a server that trusts its members takes their contributions at once', async () => {
    expect(await run(h.general.id, carol.id, '!review trust on')).toMatch(/apply at once/);
    const added = await run(h.general.id, h.alice.id, '!train User: trusted q\nAssistant: TRUSTED-MEMBER-ANSWER');
    expect(added).not.toMatch(/review/);
    expect(await read(guildFile(h.guild.id, 'a-set', 'positive.jsonl'))).toContain('TRUSTED-MEMBER-ANSWER');
    await run(h.general.id, carol.id, '!review trust off');
  });
});

describe('fine-tuning delegated to server admins (training.fineTuneByServerAdmins)', () => {
  test("a server admin's !train use changes that server's chat model only", async () => {
    const modelOf = () => (h.llm!.chatRequests().at(-1) as unknown as { model: string }).model;
    h.llm!.models.push('b-own-model'); // !train use refuses a model the endpoint does not list
    // a server's admins may use only models its own jobs produced (tests/e2e/tenancy-finetune.test.ts runs real jobs)
    expect(await run(bGeneral.id, zed.id, '!train use b-own-model')).toMatch(/^A server's admins can use the models of this server's own/);
    await h.app.state.setGuild(guildB.id, { fineTuneModels: ['b-own-model'] });
    expect(await run(bGeneral.id, zed.id, '!train use b-own-model')).toMatch(/b-own-model/);
    await ask(bGeneral.id, zed.id, 'which model answers in B?', 'The B model.');
    expect(modelOf()).toBe('b-own-model');
    await ask(h.general.id, h.alice.id, 'which model answers in A?', 'The default model.');
    expect(modelOf()).toBe('eos-test-model');
    expect(h.app.state.training().chatModel).toBeUndefined();
    expect(await run(h.general.id, h.alice.id, '!train use a-model')).toMatch(/^Only Eos admins/);
    await run(bGeneral.id, zed.id, '!train use default');
    await ask(bGeneral.id, zed.id, 'and now in B?', 'Default again.');
    expect(modelOf()).toBe('eos-test-model');
  });
});

describe('migration of single-server data at start', () => {
  test('datasets, archives and the active dataset of the one known server move to guilds/<id>/, byte for byte', async () => {
    await h.stopBot();
    // The layout before tenancy: top-level datasets, state training keys, conversation logs of one server.
    await rm(path.join(h.dataDir, 'guilds'), { recursive: true, force: true });
    const legacy = path.join(h.dataDir, 'datasets', 'legacy');
    await mkdir(legacy, { recursive: true });
    const records = [
      {
        messages: [
          { role: 'user', content: 'old question one' },
          { role: 'assistant', content: 'OLD-ANSWER-ONE' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'old question two' },
          { role: 'assistant', content: 'OLD-ANSWER-TWO' },
        ],
      },
    ];
    const bytes = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    await writeFile(path.join(legacy, 'positive.jsonl'), bytes);
    const statePath = path.join(h.dataDir, 'state', 'eos.json');
    const state = JSON.parse(await read(statePath)) as { guilds: Record<string, unknown>; training: Record<string, unknown> };
    state.guilds = { [h.guild.id]: { prefix: '!' } };
    state.training = { activeDataset: 'legacy', trainKind: 'negative' };
    await writeFile(statePath, JSON.stringify(state));
    await rm(path.join(h.dataDir, 'conversations'), { recursive: true, force: true });
    await mkdir(path.join(h.dataDir, 'conversations'), { recursive: true });
    await writeFile(path.join(h.dataDir, 'conversations', `${h.guild.id}_${h.general.id}.jsonl`), '');

    h2 = await startHarness({
      emu: h.emu,
      fake: h.llm!,
      dataDir: h.dataDir,
      behaviour: { perServerData: true, conversation: { streamEditIntervalMs: 250 } },
    });
    expect(await read(guildFile(h.guild.id, 'legacy', 'positive.jsonl'))).toBe(bytes);
    expect(await read(path.join(h.dataDir, 'datasets', 'legacy', 'positive.jsonl'))).toBe('');
    expect(h2.app.state.guild(h.guild.id)).toMatchObject({ activeDataset: 'legacy', trainKind: 'negative' });
    expect(await run(h.general.id, h.owner.id, '!datasets')).toMatch(/\*\*legacy\*\* \(active\): 2 positive/);
    expect(await run(h.general.id, h.owner.id, '!train User: new one\nAssistant: NEW-AFTER-MIGRATION')).toMatch(/legacy/);
    expect(await read(guildFile(h.guild.id, 'legacy', 'negative.jsonl'))).toContain('NEW-AFTER-MIGRATION');
    expect(await read(path.join(h.dataDir, 'guilds', 'MIGRATED.txt'))).toContain(h.guild.id);
  });
});
