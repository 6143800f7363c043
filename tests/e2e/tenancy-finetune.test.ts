/**
 * Delegated fine-tuning (issue 9, item 2): with training.fineTuneByServerAdmins each server has its own job —
 * two servers run jobs at the same time, each sees, cancels, charts and `use`s only its own, a restart resumes
 * both, and the bot owners' (DM) job is untouched. Real discord.js and openai SDK against the Discord emulator
 * and the fake OpenAI server (fine-tuning API built from OpenAI's published reference, tests/llm-server).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';
import type { EmuChannel, EmuGuild, EmuUser } from '../emulator/index.js';
import { chatRecord, jsonl } from '../finetune/helpers.js';

type Msg = Awaited<ReturnType<Harness['emu']['waitForBotMessage']>>;

const behaviour = {
  perServerData: true,
  conversation: { streamEditIntervalMs: 250 },
  training: { fineTuneByServerAdmins: true, followIntervalSec: 0.4, baseModel: 'fake-model', validationSplit: 0.2 },
};

let h: Harness;
let h2: Harness | null = null;
let carol: EmuUser; // admin of server A (Moderators role)
let zed: EmuUser; // owner (admin) of server B
let guildB: EmuGuild;
let bGeneral: EmuChannel;

beforeAll(async () => {
  h = await startHarness({ behaviour });
  carol = h.emu.createUser({ username: 'carol', globalName: 'Carol' });
  h.emu.addMember(h.guild.id, carol.id, { roles: [h.adminRole.id] });
  zed = h.emu.createUser({ username: 'zed', globalName: 'Zed' });
  guildB = h.emu.createGuild({ name: 'Other Place', ownerId: zed.id });
  bGeneral = h.emu.createChannel({ guildId: guildB.id, name: 'b-general' });
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h2?.close();
  await h.close();
}, 60_000);

const examples = (n: number, tag: string) =>
  Buffer.from(
    jsonl(
      Array.from({ length: n }, (_, i) => {
        const r = chatRecord(i);
        r.messages[r.messages.length - 1]!.content += ` ${tag}`;
        return r;
      }),
    ),
  );
const buttons = (m: Msg) => (m.components as { components?: { custom_id: string }[] }[]).flatMap((row) => row.components ?? []);
const jobIdOf = (text: string) => /`(ftjob-[^`]+)`/.exec(text)?.[1];

async function run(channelId: string, userId: string, content: string, attachments?: { name: string; data: Buffer }[]): Promise<Msg> {
  const msg = h.emu.userSays({ channelId, userId, content, attachments });
  return h.emu.waitForBotMessage(channelId, (m) => m.replyTo === msg.id, { timeoutMs: 30_000, label: content.slice(0, 40) });
}

/** `!train start` → report → Start clicked by the admin → the progress message of the new job. */
async function startJob(guildId: string, channelId: string, userId: string): Promise<{ jobId: string; progress: Msg }> {
  const report = await run(channelId, userId, '!train start sft');
  expect(report.content).toContain('press **Start**');
  const start = buttons(report)[0]!;
  h.emu.interaction({ name: start.custom_id, type: 3, customId: start.custom_id, userId, channelId, guildId, targetMessageId: report.id });
  await h.emu.waitFor(() => (report.content.includes('Confirmed: job') ? report : undefined), { timeoutMs: 30_000, label: 'confirmed' });
  const progress = await h.emu.waitForBotMessage(channelId, (m) => m.replyTo === report.id, { timeoutMs: 30_000 });
  return { jobId: jobIdOf(progress.content)!, progress };
}

const fakeStatus = (jobId: string) => h.llm!.fineTuning.job(jobId)?.status;
const running = (jobId: string) =>
  h.emu.waitFor(() => (fakeStatus(jobId) === 'running' ? true : undefined), { timeoutMs: 30_000, label: `${jobId} running` });

let jobA = '';
let jobB = '';
let progressA: Msg;
let progressB: Msg;

describe('each server has its own fine-tuning job', () => {
  test('two servers run jobs at the same time; each sees, charts and cancels only its own', async () => {
    h.llm!.fineTuning.totalSteps = 1_000_000; // both stay running for the whole test
    expect((await run(h.general.id, carol.id, '!train positive', [{ name: 'a.jsonl', data: examples(24, 'A-DATA') }])).content).toMatch(
      /^Added 24/,
    );
    expect((await run(bGeneral.id, zed.id, '!train positive', [{ name: 'b.jsonl', data: examples(24, 'B-DATA') }])).content).toMatch(
      /^Added 24/,
    );
    ({ jobId: jobA, progress: progressA } = await startJob(h.guild.id, h.general.id, carol.id));
    ({ jobId: jobB, progress: progressB } = await startJob(guildB.id, bGeneral.id, zed.id));
    expect(jobA).toBeTruthy();
    expect(jobB).toBeTruthy();
    expect(jobB).not.toBe(jobA);
    await running(jobA);
    await running(jobB);
    expect(fakeStatus(jobA)).toBe('running'); // starting B did not stop following (or cancel) A

    // each server's `!train status` shows its own job
    expect((await run(h.general.id, carol.id, '!train status')).content).toContain(jobA);
    const statusB = (await run(bGeneral.id, zed.id, '!train status')).content;
    expect(statusB).toContain(jobB);
    expect(statusB).not.toContain(jobA);
    // B's admin cannot name A's job: status, chart, cancel are refused and A keeps running
    expect((await run(bGeneral.id, zed.id, `!train status ${jobA}`)).content).toBe('That is not a fine-tuning job of this server.');
    expect((await run(bGeneral.id, zed.id, `!train chart ${jobA}`)).content).toBe('That is not a fine-tuning job of this server.');
    expect((await run(bGeneral.id, zed.id, `!train cancel ${jobA}`)).content).toBe('That is not a fine-tuning job of this server.');
    expect(fakeStatus(jobA)).toBe('running');
    // the records: per server, none in the bot owners' (global) training state
    expect(h.app.state.guild(h.guild.id)).toMatchObject({ fineTuneJobId: jobA, fineTuneJobs: [jobA] });
    expect(h.app.state.guild(guildB.id)).toMatchObject({ fineTuneJobId: jobB, fineTuneJobs: [jobB] });
    expect(h.app.state.training().fineTuneJobId).toBeUndefined();
    // the bot owners' job (DMs) is a separate one: none yet
    const dm = h.emu.createDM(h.owner.id);
    expect((await run(dm.id, h.owner.id, '!train status')).content).toMatch(/^No fine-tuning job yet/);
  }, 240_000);

  test('a restart resumes following both jobs; cancel in A leaves B running', async () => {
    await h.stopBot();
    const editsA = progressA.edits.length;
    const editsB = progressB.edits.length;
    h2 = await startHarness({ emu: h.emu, fake: h.llm!, dataDir: h.dataDir, behaviour });
    // the follower edits each progress message again (first poll after the restart)
    await h.emu.waitFor(() => (progressA.edits.length > editsA ? true : undefined), { timeoutMs: 30_000, label: 'A followed again' });
    await h.emu.waitFor(() => (progressB.edits.length > editsB ? true : undefined), { timeoutMs: 30_000, label: 'B followed again' });

    const cancelled = await run(h.general.id, carol.id, '!train cancel');
    expect(cancelled.content).toContain(jobA);
    expect(cancelled.content).toContain('was cancelled');
    expect(fakeStatus(jobA)).toBe('cancelled');
    expect(fakeStatus(jobB)).toBe('running');
    await h.emu.waitFor(() => (progressA.content.includes('was cancelled') ? true : undefined), {
      timeoutMs: 30_000,
      label: 'A shown cancelled',
    });
    expect((await run(bGeneral.id, zed.id, '!train status')).content).toContain(jobB);
    // ended (shown, chart posted): a later restart does not resume it
    await h.emu.waitFor(() => (h2!.app.state.guild(h.guild.id).fineTuneMessage === undefined ? true : undefined), {
      timeoutMs: 30_000,
      label: 'A no longer followed',
    });
    expect(h2.app.state.guild(guildB.id).fineTuneMessage).toBeDefined();
  }, 240_000);

  test("a finished job's model is its server's: `use` works there, the other server's admin cannot use it", async () => {
    expect((await run(bGeneral.id, zed.id, '!train cancel')).content).toContain('was cancelled');
    h.llm!.fineTuning.totalSteps = 2;
    const { jobId, progress } = await startJob(guildB.id, bGeneral.id, zed.id);
    await h.emu.waitFor(() => (progress.content.includes('succeeded') ? true : undefined), { timeoutMs: 60_000, label: 'B job succeeded' });
    const model = /succeeded: `([^`]+)`/.exec(progress.content)![1]!;
    expect(h2!.app.state.guild(guildB.id).fineTuneModels).toEqual([model]);
    expect(h2!.app.state.guild(guildB.id).fineTuneJobs).toEqual([jobB, jobId]);

    expect((await run(h.general.id, carol.id, `!train use ${model}`)).content).toMatch(
      /^A server's admins can use the models of this server's own/,
    );
    expect((await run(h.general.id, carol.id, '!train use made-up-model')).content).toMatch(/^A server's admins can use the models/);
    expect((await run(h.general.id, carol.id, `!train status ${jobId}`)).content).toBe('That is not a fine-tuning job of this server.');
    expect((await run(bGeneral.id, zed.id, '!train use')).content).toBe(`Chat model is now \`${model}\`. \`train use default\` goes back.`);

    const modelOf = () => (h.llm!.chatRequests().at(-1) as unknown as { model: string }).model;
    h.llm!.queue({ text: 'B answers.' });
    const qb = h.emu.userSays({ channelId: bGeneral.id, userId: zed.id, content: mention(h.emu.botUser.id, 'model in B?') });
    await h.emu.waitForBotMessage(bGeneral.id, (m) => m.replyTo === qb.id && m.content === 'B answers.', { timeoutMs: 30_000 });
    expect(modelOf()).toBe(model);
    h.llm!.queue({ text: 'A answers.' });
    const qa = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: mention(h.emu.botUser.id, 'model in A?') });
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === qa.id && m.content === 'A answers.', { timeoutMs: 30_000 });
    expect(modelOf()).toBe('eos-test-model');
    expect(h2!.app.state.training().chatModel).toBeUndefined();
  }, 240_000);
});
