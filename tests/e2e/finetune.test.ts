/**
 * Fine-tuning from Discord, as a user does it: examples in, `!train start` → dataset report → Start button → job →
 * progress message edited by the follower → loss curve posted as a PNG; the same with a local trainer command that
 * switches the chat model to the served result; retired models get a reply naming the setting.
 * Real discord.js and openai SDK against the Discord emulator and the fake OpenAI server; the local trainer is
 * tests/finetune/fake-trainer.mjs (a stand-in for a TRL/Unsloth script).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';
import { startFakeLlm } from '../llm-server/index.js';
import { chatRecord, fakeTrainerCommand, jsonl, preferenceRecord } from '../finetune/helpers.js';

type Msg = Awaited<ReturnType<Harness['emu']['waitForBotMessage']>>;

function buttons(m: Msg): { custom_id: string; label: string }[] {
  return (m.components as { components?: { custom_id: string; label: string }[] }[]).flatMap((row) => row.components ?? []);
}

/** Decodes a PNG and checks it is the chart Eos draws: 800 x 450, mostly white, with drawn (non-white) pixels. */
function expectChart(data: Buffer): void {
  const png = PNG.sync.read(data);
  expect([png.width, png.height]).toEqual([800, 450]);
  let inked = 0;
  let colored = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    if (r < 240 || g < 240 || b < 240) inked++;
    if (b > 150 && r < 120) colored++; // the first series' blue line
  }
  const total = png.width * png.height;
  expect(inked / total).toBeGreaterThan(0.01);
  expect(inked / total).toBeLessThan(0.5);
  expect(colored).toBeGreaterThan(100);
}

function helpers(h: Harness) {
  const say = (userId: string, content: string, attachments?: { name: string; data: Buffer }[]) =>
    h.emu.userSays({ channelId: h.general.id, userId, content, attachments });
  const replyTo = (id: string, timeoutMs = 20_000) => h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === id, { timeoutMs });
  const run = async (userId: string, content: string, attachments?: { name: string; data: Buffer }[]) =>
    replyTo(say(userId, content, attachments).id);
  const click = (customId: string, userId: string, message: Msg) =>
    h.emu.interaction({
      name: customId,
      type: 3,
      customId,
      userId,
      channelId: h.general.id,
      guildId: h.guild.id,
      targetMessageId: message.id,
    });
  return { say, replyTo, run, click };
}

const examples = (n: number) => Buffer.from(jsonl(Array.from({ length: n }, (_, i) => chatRecord(i))));

describe('fine-tuning on a paid backend (OpenAI-compatible)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      behaviour: {
        conversation: { streamEditIntervalMs: 250 },
        training: { followIntervalSec: 0.1, baseModel: 'fake-model', validationSplit: 0.2 },
      },
    });
  }, 60_000);
  afterAll(async () => {
    expect(h.emu.contractViolations).toEqual([]);
    expect(h.llm!.contractViolations).toEqual([]);
    await h.close();
  }, 60_000);

  test('!train start shows the report and waits for Start; the job is followed to success and its loss curve posted', async () => {
    const { run, replyTo, click, say } = helpers(h);
    expect((await run(h.alice.id, '!train positive', [{ name: 'ex.jsonl', data: examples(14) }])).content).toMatch(/^Added 14 examples/);
    const suite = JSON.stringify([{ input: 'ping', expected: 'echo: ping' }]);
    const tested = await run(h.owner.id, `!test ${suite}`);
    await h.emu.waitFor(() => (/Running/.test(tested.content) ? undefined : tested), { timeoutMs: 20_000, label: 'suite finished' });
    const report = await run(h.owner.id, '!train start sft');
    expect(report.content).toContain('**Fine-tuning report**: **default** (sft) → `fake-model`');
    expect(report.content).toContain('examples: 14 usable');
    expect(report.content).toMatch(/split: \d+ training \/ \d+ validation/);
    expect(report.content).toMatch(/training tokens per epoch: ~\d+ \(× 3 epochs/);
    expect(report.content).toContain('no published price for this model');
    expect(report.content).toContain('minimum for this backend: 10 ✓');
    expect(report.content).toContain('press **Start**');
    const [start, cancel] = buttons(report);
    expect([start?.label, cancel?.label]).toEqual(['Start (paid)', 'Cancel']);
    expect(h.llm!.fineTuning.files.size).toBe(0); // nothing uploaded, nothing spent yet

    const stranger = click(start!.custom_id, h.alice.id, report);
    await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === stranger.id));
    expect(h.llm!.fineTuning.files.size).toBe(0);

    click(start!.custom_id, h.owner.id, report);
    await h.emu.waitFor(() => (report.content.includes('Confirmed: job') ? report : undefined), { label: 'report confirmed' });
    expect(report.components).toEqual([]);
    const progress = await replyTo(report.id);
    const done = await h.emu.waitFor(() => (progress.content.includes('succeeded') ? progress : undefined), {
      timeoutMs: 20_000,
      label: 'job succeeded',
    });
    expect(done.edits.length).toBeGreaterThanOrEqual(2);
    expect(done.content).toContain('Make it the chat model with `train use`.');
    const jobId = /`(ftjob-[^`]+)`/.exec(done.content)![1]!;
    expect([...h.llm!.fineTuning.files.values()].map((f) => f.object.purpose)).toEqual(['fine-tune', 'fine-tune']); // training + validation
    expect(h.llm!.fineTuning.job(jobId)?.validation_file).toBeTruthy();

    const chart = await h.emu.waitForBotMessage(h.general.id, (m) => m.attachments.some((a) => a.filename === `finetune-${jobId}.png`), {
      timeoutMs: 20_000,
    });
    expect(chart.replyTo).toBe(progress.id);
    expectChart(chart.attachments[0]!.data);

    // The follower's onSucceeded hook: Eos offers to run the last suite on the new model against the old one.
    const offer = await h.emu.waitForBotMessage(h.general.id, (m) => m.content.includes('test --compare'), { timeoutMs: 20_000 });
    expect(offer.content).toContain(`!test --compare eos-test-model ft:fake-model:eos:eos:${jobId} last`);

    const asked = await run(h.bob.id, '!train chart');
    expect(asked.attachments[0]?.filename).toBe(`finetune-${jobId}.png`);
    expectChart(asked.attachments[0]!.data);

    const model = /(ft:[^`\s]+)/.exec(done.content)![1]!;
    expect((await run(h.owner.id, '!train use')).content).toBe(`Chat model is now \`${model}\`. \`train use default\` goes back.`);
    h.llm!.queue({ text: 'From the fine-tune.' });
    const q = say(h.alice.id, mention(h.emu.botUser.id, 'which model are you?'));
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === q.id && m.content === 'From the fine-tune.');
    expect((h.llm!.chatRequests().at(-1) as unknown as { model: string }).model).toBe(model);
    await run(h.owner.id, '!train use default');
  }, 120_000);

  test('Cancel under the report starts nothing; members cannot start', async () => {
    const { run, click } = helpers(h);
    const before = h.llm!.fineTuning.files.size;
    const report = await run(h.owner.id, '!train start sft');
    click(buttons(report)[1]!.custom_id, h.owner.id, report);
    await h.emu.waitFor(() => (report.content.includes('Cancelled: nothing was started') ? report : undefined), { label: 'declined' });
    expect(h.llm!.fineTuning.files.size).toBe(before);
    expect((await run(h.alice.id, '!train start sft')).content).toBe('Only Eos admins can start fine-tuning.');
    expect((await run(h.alice.id, '!train report')).content).toBe('Only Eos admins can build a fine-tuning report.');
    const alone = await run(h.owner.id, '!train report');
    expect(alone.content).toContain('**Fine-tuning report**');
    expect(buttons(alone)).toEqual([]);
    expect(h.llm!.fineTuning.files.size).toBe(before);
  }, 120_000);

  test('a DPO report from a !correct pair says it is too little for OpenAI, with no button', async () => {
    const { run, replyTo, say } = helpers(h);
    h.llm!.queue({ text: 'Ten.' });
    const q = say(h.alice.id, mention(h.emu.botUser.id, 'How many sides does a hexagon have?'));
    const answer = await h.emu.waitForBotMessage(
      h.general.id,
      (m) => m.replyTo === q.id && m.content === 'Ten.' && m.components.length > 0,
    );
    expect(
      (await replyTo(h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: '!correct Six.', replyTo: answer.id }).id))
        .content,
    ).toMatch(/^Correction saved/);
    const report = await run(h.owner.id, '!train start dpo');
    expect(report.content).toContain('preference pairs: 1 usable');
    expect(report.content).toContain('**not enough data**: openai needs at least 10 training preference pairs');
    expect(buttons(report)).toEqual([]);
  }, 120_000);

  test('a running job can be cancelled with !train cancel', async () => {
    const { run, replyTo, click } = helpers(h);
    h.llm!.fineTuning.totalSteps = 10_000;
    const report = await run(h.owner.id, '!train start sft');
    click(buttons(report)[0]!.custom_id, h.owner.id, report);
    const progress = await replyTo(report.id);
    await h.emu.waitFor(() => (/step \d+\/10000/.test(progress.content) ? progress : undefined), { label: 'running' });
    expect((await run(h.owner.id, '!train cancel')).content).toMatch(/was cancelled/);
    await h.emu.waitFor(() => (progress.content.includes('was cancelled') ? progress : undefined), { label: 'follower saw the cancel' });
  }, 120_000);
});

describe('fine-tuning with a local trainer command', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eos-e2e-local-'));
    const control = path.join(dir, 'control.json');
    // ~2 s of training polled every 100 ms: the follower sees steps in progress (with 20 ms per step the job could
    // end between two polls, and the 'step n/5' edit the test looks for never happened).
    await writeFile(control, JSON.stringify({ steps: 5, delayMs: 400, served: 'qwen-eos' }));
    const fake = await startFakeLlm({ models: ['eos-test-model', 'qwen-eos'] });
    h = await startHarness({
      fake,
      behaviour: {
        conversation: { streamEditIntervalMs: 250 },
        training: {
          backend: 'local',
          baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
          followIntervalSec: 0.1,
          validationSplit: 0.25,
          local: { command: fakeTrainerCommand(control) },
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    expect(h.emu.contractViolations).toEqual([]);
    await h.close();
    await h.llm!.close();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  test('free: no button; the trainer runs, Eos follows its output, posts the curve and switches to the served model', async () => {
    const { run, replyTo, say } = helpers(h);
    await run(h.alice.id, '!train positive', [{ name: 'ex.jsonl', data: examples(8) }]);
    const report = await run(h.owner.id, '!train start');
    expect(report.content).toContain('on local trainer');
    expect(report.content).toContain('cost: none (local trainer)');
    expect(buttons(report)).toEqual([]);
    const progress = await replyTo(report.id);
    const done = await h.emu.waitFor(() => (progress.content.includes('succeeded') ? progress : undefined), {
      timeoutMs: 30_000,
      label: 'local job succeeded',
    });
    expect(done.content).toContain('`qwen-eos`');
    expect(done.content).toContain('Switched the chat model to `qwen-eos`.');
    expect(done.edits.some((e) => /step \d+\/5/.test(e))).toBe(true);
    const chart = await h.emu.waitForBotMessage(h.general.id, (m) => m.attachments.some((a) => a.filename.endsWith('.png')), {
      timeoutMs: 20_000,
    });
    expectChart(chart.attachments[0]!.data);
    h.llm!.queue({ text: 'Trained locally.' });
    const q = say(h.alice.id, mention(h.emu.botUser.id, 'hello'));
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === q.id && m.content === 'Trained locally.');
    expect((h.llm!.chatRequests().at(-1) as unknown as { model: string }).model).toBe('qwen-eos');
  }, 120_000);

  test('dpo pairs reach the trainer in TRL preference format', async () => {
    const { run, replyTo } = helpers(h);
    await writeFile(path.join(h.dataDir, 'datasets', 'default', 'preference.jsonl'), jsonl([preferenceRecord(1), preferenceRecord(2)]));
    const report = await run(h.owner.id, '!train start dpo');
    const progress = await replyTo(report.id);
    const done = await h.emu.waitFor(() => (/succeeded|failed/.test(progress.content) ? progress : undefined), { timeoutMs: 30_000 });
    expect(done.content).toContain('succeeded');
  }, 120_000);
});

describe('retired base models', () => {
  test('a retired model in training.baseModel gets a reply naming the setting, and nothing is uploaded', async () => {
    const h = await startHarness({ behaviour: { training: { baseModel: 'gpt-4o-mini-2024-07-18' } } });
    try {
      const { run } = helpers(h);
      const r = await run(h.owner.id, '!train start sft');
      expect(r.content).toContain('`gpt-4o-mini-2024-07-18` is retired');
      expect(r.content).toContain('training.baseModel');
      expect(h.llm!.fineTuning.files.size).toBe(0);
    } finally {
      await h.close();
    }
  }, 120_000);
});
